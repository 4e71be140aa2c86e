"""Moving a referral along: the next status, or closing it after a confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from audit.models import Action
from audit.services import audit_record
from practices.roles import clp_required
from referrals.forms import CloseForm, StatusForm, add_service_error
from referrals.services import referral_close, referral_set_status
from referrals.views.common import editable_referral


@clp_required
@require_http_methods(["GET", "POST"])
def referral_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = editable_referral(request, pk)
    form = StatusForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_set_status(
                user=request.user,
                request=request,
                referral=referral,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Referral is now {referral.get_status_display().lower()}.")
            return redirect("referrals:detail", pk=referral.pk)
    audit_record(request=request, action=Action.VIEW, obj=referral, detail="referral status")
    return render(request, "referrals/status_form.html", {"form": form, "referral": referral})


@clp_required
@require_http_methods(["GET", "POST"])
def referral_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = editable_referral(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral_close(
                user=request.user,
                request=request,
                referral=referral,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Referral closed.")
            return redirect("referrals:detail", pk=referral.pk)
    audit_record(request=request, action=Action.VIEW, obj=referral, detail="close referral")
    return render(request, "referrals/close.html", {"form": form, "referral": referral})
