from django.urls import path

from participants.views import (
    assessments,
    caseload,
    consultations,
    detail,
    flags,
    needs,
    register,
    transfer,
)

app_name = "participants"

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("search/", caseload.search, name="search"),
    path("new/", register.register, name="register"),
    path("<str:ref>/", detail.participant_detail, name="detail"),
    path("<str:ref>/edit/", register.edit, name="edit"),
    path("<str:ref>/close/", register.close, name="close"),
    path("<str:ref>/reopen/", register.reopen, name="reopen"),
    path("<str:ref>/transfer/", transfer.transfer, name="transfer"),
    path("<str:ref>/flags/new/", flags.new_flag, name="new_flag"),
    path("<str:ref>/flags/<int:pk>/end/", flags.end_flag, name="end_flag"),
    path("<str:ref>/needs/", needs.edit_needs, name="needs"),
    path("<str:ref>/consultations/new/", consultations.log_consultation, name="log_consultation"),
    path("<str:ref>/assessments/new/", assessments.record_assessment, name="new_assessment"),
    path("<str:ref>/assessments/<int:pk>/", assessments.record_assessment, name="edit_assessment"),
]
