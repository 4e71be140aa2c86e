from django.urls import path

from programme.views import practices, public, staff, survey

app_name = "programme"

urlpatterns = [
    path("staff/", staff.staff, name="staff"),
    path("staff/invite/", staff.invite, name="invite"),
    path("staff/invite-all/", staff.invite_all, name="invite_all"),
    path("staff/<int:pk>/", staff.person, name="person"),
    path("staff/<int:pk>/resend/", staff.resend, name="resend"),
    path("staff/<int:pk>/deactivate/", staff.deactivate, name="deactivate"),
    path("attachments/<int:pk>/end/", staff.end_attachment, name="end_attachment"),
    path("invitations/<int:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("survey/", survey.rounds, name="survey_rounds"),
    path("survey/<int:pk>/", survey.survey_round, name="survey_round"),
    path("survey/<int:pk>/close/", survey.close_round, name="close_round"),
    path("survey/links/", survey.practice_links, name="survey_links"),
]

# The practices pages keep the `practices` namespace their links have always used.
practice_urls = (
    [
        path("", practices.practice_list, name="list"),
        path("new/", practices.practice_edit, name="add"),
        path("<int:pk>/", practices.practice_edit, name="edit"),
        path("<int:pk>/left/", practices.practice_left, name="left"),
    ],
    "practices",
)

password_urls = (
    [
        path("reset/", public.password_reset, name="reset"),
        path("reset/sent/", public.password_reset_sent, name="reset_sent"),
        path("reset/<uidb64>/<token>/", public.password_reset_confirm, name="reset_confirm"),
        path("reset/done/", public.password_reset_done, name="reset_done"),
        path("invitation/<uidb64>/<token>/", public.invitation, name="invitation"),
    ],
    "passwords",
)

survey_urls = (
    [
        path("thanks/", public.survey_thanks, name="thanks"),
        path("<str:token>/", public.survey_answer, name="answer"),
    ],
    "survey",
)
