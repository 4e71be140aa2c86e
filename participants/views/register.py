from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.access import participants_visible_to
from participants.forms import CloseCaseForm, ParticipantForm, ReopenCaseForm
from participants.services import (
    ConcurrentEdit,
    DuplicateParticipant,
    participant_close,
    participant_register,
    participant_reopen,
    participant_update,
)
from participants.views.common import audit_page, editable_participant
from practices.roles import clp_required

ELSEWHERE = (
    "This CHI number is already registered with the programme at another practice. A CLP "
    "or the practice manager of that practice can transfer the record to your practice "
    "(from the participant's page: Transfer to another practice); ask the person which "
    "practice they were with."
)


@clp_required
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_register(
                user=request.user,
                request=request,
                participant=form.save(commit=False),
                needs=form.cleaned_data["needs"],
            )
        except DuplicateParticipant as duplicate:
            existing = duplicate.existing
            if participants_visible_to(request.user).filter(pk=existing.pk).exists():
                messages.info(
                    request,
                    f"{existing.ref} already has this CHI number: here is their record. "
                    "Nothing new was registered.",
                )
                return redirect("participants:detail", ref=existing.ref)
            # The other practice is not named: that would tell this CLP where a person
            # they may not know is registered. The person knows their old practice.
            form.add_error("chi", ELSEWHERE)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Registered {participant.ref}.")
            return redirect("participants:detail", ref=participant.ref)
    return render(request, "participants/register.html", {"form": form})


@clp_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = ParticipantForm(
        request.POST or None, instance=participant, user=request.user, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            participant_update(
                user=request.user,
                request=request,
                participant=form.save(commit=False),
                changed=form.changed_data,
                version=form.cleaned_data["version"] or 0,
            )
        except ConcurrentEdit:
            form.add_error(
                None,
                "Someone else saved this record after you opened it. Your changes are still "
                "in the form below: open the record in a new tab to see theirs, then save "
                "again.",
            )
            data = request.POST.copy()
            data["version"] = str(participant.__class__.objects.get(pk=participant.pk).version)
            form.data = data
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Details saved.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "edit details")
    return render(request, "participants/edit.html", {"form": form, "participant": participant})


@clp_required
@require_http_methods(["GET", "POST"])
def close(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = CloseCaseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            participant_close(
                user=request.user,
                request=request,
                participant=participant,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Closed the case of {participant.ref}.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "close case")
    return render(request, "participants/close.html", {"form": form, "participant": participant})


@clp_required
@require_http_methods(["GET", "POST"])
def reopen(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = ReopenCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant_reopen(
                user=request.user,
                request=request,
                participant=participant,
                on=timezone.localdate(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Reopened the case of {participant.ref}.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "reopen case")
    return render(request, "participants/reopen.html", {"form": form, "participant": participant})
