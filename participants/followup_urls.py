from django.urls import path

from participants.views import worklist

app_name = "followups"

urlpatterns = [
    path("", worklist.worklist, name="worklist"),
    path("<int:pk>/close/", worklist.close_followup, name="close"),
]
