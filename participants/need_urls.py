from django.urls import path

from participants.views import need_list

app_name = "needs"

urlpatterns = [
    path("", need_list.need_list, name="list"),
    path("new/", need_list.need_edit, name="new"),
    path("<int:pk>/", need_list.need_edit, name="edit"),
]
