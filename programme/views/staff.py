from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from participants.services import open_cases_of
from practices.models import StaffRole
from practices.roles import programme_required, roles_of
from practices.services import attachment_add
from programme.forms import AttachForm, AttachmentEndForm, InviteForm
from programme.models import Invitation
from programme.selectors import (
    clp_colleagues,
    current_attachment,
    pending_invitations,
    staff_list,
    staff_member,
    staff_state,
)
from programme.services import (
    ProgrammeRole,
    account_deactivate,
    attachment_end,
    invitation_resend,
    invitation_withdraw,
    invitations_send_bulk,
    staff_invite,
    staff_not_signed_in,
)


@programme_required
def staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = list(staff_list())
    for person in people:
        person.state = staff_state(person)  # type: ignore[attr-defined]
    return render(
        request,
        "programme/staff_list.html",
        {
            "people": people,
            "invitations": pending_invitations(),
            "not_signed_in": len(staff_not_signed_in()),
        },
    )


@programme_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    may_grant = roles_of(request.user).administrator
    form = InviteForm(request.POST or None, may_grant=may_grant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = staff_invite(
                user=request.user,
                request=request,
                full_name=data["full_name"],
                email=data["email"],
                practices=data["practices"],
                role=data["role"],
                started_on=data["started_on"],
                programme_role=data.get("programme_role") or ProgrammeRole.NONE,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                f"Invited {invitation.user.display_name}: the email with their link is on its "
                f"way. Their sign-in name is {invitation.user.username}.",
            )
            return redirect("programme:staff")
    return render(request, "programme/invite.html", {"form": form})


@programme_required
@require_http_methods(["GET", "POST"])
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    member = staff_member(member.pk)
    form = AttachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_add(
                user=request.user,
                request=request,
                person=member,
                practice=form.cleaned_data["practice"],
                role=form.cleaned_data["role"],
                started_on=form.cleaned_data["started_on"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Attachment added.")
            return redirect("programme:person", pk=member.pk)
    return render(
        request,
        "programme/person.html",
        {"member": member, "state": staff_state(member), "form": form},
    )


@programme_required
@require_http_methods(["GET", "POST"])
def end_attachment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = current_attachment(pk)
    open_cases = (
        open_cases_of(practice=attachment.practice, clp=attachment.user)
        if attachment.role == StaffRole.CLP
        else 0
    )
    colleagues = clp_colleagues(attachment)
    form = AttachmentEndForm(
        request.POST or None, colleagues=colleagues, needs_reassignment=bool(open_cases)
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = attachment_end(
                user=request.user,
                request=request,
                attachment=attachment,
                on=form.cleaned_data["on"],
                reassign_to=form.cleaned_data.get("reassign_to"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                f"{attachment.user.display_name}'s work at {attachment.practice.name} ends on "
                f"{form.cleaned_data['on']:%-d %b %Y}."
                + (f" {moved} open cases were handed over." if moved else ""),
            )
            return redirect("programme:person", pk=attachment.user_id)
    return render(
        request,
        "programme/attachment_end.html",
        {"attachment": attachment, "form": form, "open_cases": open_cases},
    )


def _act(request: AuthenticatedHttpRequest, action, success: str, **kwargs) -> None:
    try:
        action(user=request.user, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


@programme_required
@require_POST
def resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    _act(request, invitation_resend, f"Sent {member.display_name} a new link.", person=member)
    if request.POST.get("next") == "person":
        return redirect("programme:person", pk=pk)
    return redirect("programme:staff")


@programme_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("user"), pk=pk)
    _act(
        request,
        invitation_withdraw,
        f"Withdrew the invitation of {invitation.user.display_name}: its link no longer works.",
        invitation=invitation,
    )
    return redirect("programme:staff")


@programme_required
@require_POST
def deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    _act(request, account_deactivate, f"Deactivated {member.display_name}.", person=member)
    return redirect("programme:person", pk=pk)


@programme_required
@require_POST
def invite_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    sent = invitations_send_bulk(user=request.user, request=request)
    messages.success(request, f"Sent {sent} invitations.")
    return redirect("programme:staff")
