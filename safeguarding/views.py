"""Safeguarding concerns: raised by a participant's CLP, read and acted on by the recording
CLP, the practice's safeguarding leads and administrators. Every read is audited."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.models import Action
from audit.services import audit_list_view, audit_record
from participants.access import get_participant_for, participants_editable_by
from practices.roles import clp_required
from safeguarding.access import can_close_concern, get_concern_for, sees_concern_list
from safeguarding.forms import ConcernActionForm, ConcernCloseForm, ConcernForm
from safeguarding.models import Concern, ConcernStatus
from safeguarding.selectors import concern_actions, concern_list, practice_has_leads
from safeguarding.services import concern_action_add, concern_close, concern_raise


@login_required
def concerns(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not sees_concern_list(request.user):
        raise PermissionDenied
    status = request.GET.get("status", ConcernStatus.OPEN)
    rows = list(concern_list(user=request.user, status=status))
    listed = audit_list_view(
        request=request, page="safeguarding concerns", refs=(c.participant.ref for c in rows)
    )
    if listed is None:
        audit_record(request=request, action=Action.VIEW, detail="safeguarding concerns list")
    return render(
        request,
        "safeguarding/list.html",
        {"concerns": rows, "status": status, "statuses": ConcernStatus.choices},
    )


@clp_required
@require_http_methods(["GET", "POST"])
def new_concern(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = get_participant_for(
        request.user, ref, queryset=participants_editable_by(request.user)
    )
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = concern_raise(
                user=request.user,
                request=request,
                participant=participant,
                about=form.cleaned_data["about"],
                category=form.cleaned_data["category"],
                what_happened=form.cleaned_data["what_happened"],
                action_taken=form.cleaned_data["action_taken"],
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if practice_has_leads(practice_id=concern.practice_id):
                messages.success(
                    request, "Concern recorded. The practice's safeguarding leads have been told."
                )
            else:
                # Nobody would be told: say so, so the CLP raises it by another route.
                messages.warning(
                    request,
                    "Concern recorded, but this practice has no safeguarding lead to tell. "
                    "Tell your programme lead or an administrator, and the GP.",
                )
            return redirect("safeguarding:detail", public_id=concern.public_id)
    audit_record(request=request, action=Action.VIEW, obj=participant, detail="new concern")
    return render(request, "safeguarding/new.html", {"form": form, "participant": participant})


def _detail(
    request: AuthenticatedHttpRequest,
    concern: Concern,
    *,
    action_form: ConcernActionForm | None = None,
    close_form: ConcernCloseForm | None = None,
) -> HttpResponse:
    audit_record(request=request, action=Action.VIEW, obj=concern, detail="safeguarding concern")
    return render(
        request,
        "safeguarding/detail.html",
        {
            "concern": concern,
            "actions": concern_actions(concern=concern),
            "action_form": action_form or ConcernActionForm(),
            "close_form": close_form or ConcernCloseForm(),
            "can_close": can_close_concern(request.user, concern),
        },
    )


@login_required
def concern_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    # No role gate: the scoped lookup answers 404 for anyone without need to know.
    return _detail(request, get_concern_for(request.user, public_id))


@login_required
@require_POST
def add_action(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    concern = get_concern_for(request.user, public_id)
    form = ConcernActionForm(request.POST)
    if form.is_valid():
        try:
            concern_action_add(
                user=request.user, request=request, concern=concern, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action recorded.")
            return redirect("safeguarding:detail", public_id=concern.public_id)
    return _detail(request, concern, action_form=form)


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    concern = get_concern_for(request.user, public_id)
    if not can_close_concern(request.user, concern):
        raise PermissionDenied
    form = ConcernCloseForm(request.POST)
    if form.is_valid():
        try:
            concern_close(
                user=request.user,
                request=request,
                concern=concern,
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Concern closed.")
            return redirect("safeguarding:detail", public_id=concern.public_id)
    return _detail(request, concern, close_form=form)
