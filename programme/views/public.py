"""Pages opened without signing in: setting a password from an invitation or a reset email,
and answering the staff survey through a practice's link. Each is rate limited per address
(`referrals.ratelimit`, shared with the organisations' feedback page)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from practices.services import survey_response_record
from programme.forms import SurveyAnswerForm
from programme.services import invitation_accepted
from programme.survey_links import survey_from_token
from programme.tokens import invitation_tokens
from referrals.ratelimit import rate_limited


class InvitationView(auth_views.PasswordResetConfirmView):
    """Django's set-a-password page, with the invitation's own tokens. Setting the password
    uses the link up; the person then signs in."""

    token_generator = invitation_tokens
    template_name = "programme/invitation.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accepted(request=self.request, person=form.user)
        messages.success(
            self.request,
            f"Your password is set. Sign in with your sign-in name, {form.user.username}.",
        )
        return response


invitation = rate_limited("invitation")(InvitationView.as_view())

# Django's password reset: the form only writes to active accounts with a password, and the
# next page says the same whether or not the address is known.
password_reset = rate_limited("password_reset")(
    auth_views.PasswordResetView.as_view(
        template_name="programme/password_reset_form.html",
        email_template_name="programme/email/password_reset.txt",
        subject_template_name="programme/email/password_reset_subject.txt",
        success_url=reverse_lazy("passwords:reset_sent"),
    )
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="programme/password_reset_sent.html"
)
password_reset_confirm = rate_limited("password_reset")(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="programme/password_reset_confirm.html",
        success_url=reverse_lazy("passwords:reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="programme/password_reset_done.html"
)


@rate_limited("staff_survey")
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A practice's survey link: anyone with it may answer, as often as they like, while the
    round is open. No account, and nothing about the person is kept."""
    found = survey_from_token(token)
    if found is None:
        return render(request, "programme/survey_closed.html", status=404)
    survey_round, practice = found
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_response_record(
                survey_round=survey_round,
                practice=practice,
                wellbeing_activities=form.answer("wellbeing_activities"),
                give_up_within_5y=form.answer("give_up_within_5y"),
            )
        except ValidationError:
            return render(request, "programme/survey_closed.html", status=404)
        return redirect("survey:thanks")
    return render(
        request,
        "programme/survey_answer.html",
        {"form": form, "round": survey_round, "practice": practice},
    )


def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "programme/survey_thanks.html")
