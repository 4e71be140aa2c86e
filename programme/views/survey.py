from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from practices.models import Practice, StaffSurveyRound
from practices.roles import manager_required, programme_required
from practices.services import survey_response_record, survey_round_close, survey_round_open
from programme.forms import PaperAnswerForm, SurveyRoundForm
from programme.selectors import (
    open_survey_rounds,
    survey_link_practices,
    survey_round_results,
    survey_rounds,
)
from programme.survey_links import survey_url
from reports.suppression import Suppressor


@programme_required
@require_http_methods(["GET", "POST"])
def rounds(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SurveyRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_round = survey_round_open(
                user=request.user,
                request=request,
                year=form.cleaned_data["year"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Opened the staff survey for {survey_round.year}.")
            return redirect("programme:survey_round", pk=survey_round.pk)
    return render(
        request, "programme/survey_rounds.html", {"rounds": survey_rounds(), "form": form}
    )


@programme_required
@require_http_methods(["GET", "POST"])
def survey_round(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    the_round = get_object_or_404(StaffSurveyRound, pk=pk)
    form = PaperAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_response_record(
                survey_round=the_round,
                practice=form.cleaned_data["practice"],
                user=request.user,
                request=request,
                wellbeing_activities=form.answer("wellbeing_activities"),
                give_up_within_5y=form.answer("give_up_within_5y"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Paper answer added.")
            return redirect("programme:survey_round", pk=the_round.pk)
    rows, total = survey_round_results(the_round)
    is_open = the_round.is_open()
    links = (
        [(p, survey_url(the_round, p)) for p in Practice.objects.in_programme()] if is_open else []
    )
    return render(
        request,
        "programme/survey_round.html",
        {
            "round": the_round,
            "rows": rows,
            "total": total,
            "links": links,
            "is_open": is_open,
            "form": form,
            "s": Suppressor.from_settings(),
        },
    )


@programme_required
@require_POST
def close_round(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    the_round = get_object_or_404(StaffSurveyRound, pk=pk)
    survey_round_close(user=request.user, request=request, survey_round=the_round)
    messages.success(request, f"Closed the staff survey for {the_round.year}: it is frozen.")
    return redirect("programme:survey_round", pk=the_round.pk)


@manager_required
def practice_links(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The practice manager's page: their practices' links to open rounds, to share with
    their staff."""
    practices = survey_link_practices(user=request.user)
    open_rounds = open_survey_rounds()
    links = [
        (survey_round, [(p, survey_url(survey_round, p)) for p in practices])
        for survey_round in open_rounds
    ]
    return render(request, "programme/survey_links.html", {"links": links})
