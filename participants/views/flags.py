"""Risk flags: set by the CLPs of the participant's practice, ended rather than removed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.forms import EndRiskFlagForm, RiskFlagForm
from participants.models import RiskFlag
from participants.services import risk_flag_end, risk_flag_set
from participants.views.common import audit_page, editable_participant
from practices.roles import clp_required


@clp_required
@require_http_methods(["GET", "POST"])
def new_flag(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = RiskFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = risk_flag_set(
                user=request.user,
                request=request,
                participant=participant,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Flag set: {flag.get_kind_display()}.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "new risk flag")
    return render(
        request, "participants/flag_form.html", {"form": form, "participant": participant}
    )


@clp_required
@require_http_methods(["GET", "POST"])
def end_flag(request: AuthenticatedHttpRequest, ref: str, pk: int) -> HttpResponse:
    participant = editable_participant(request, ref)
    try:
        flag = participant.risk_flags.active().get(pk=pk)
    except RiskFlag.DoesNotExist:
        raise Http404("No such active flag.") from None
    form = EndRiskFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            risk_flag_end(
                user=request.user, request=request, flag=flag, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Flag ended: {flag.get_kind_display()}.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "end risk flag")
    return render(
        request,
        "participants/flag_end.html",
        {"form": form, "participant": participant, "flag": flag},
    )
