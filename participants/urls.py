from django.urls import path

from participants.views import caseload, detail

app_name = "participants"

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("<str:ref>/", detail.participant_detail, name="detail"),
]
