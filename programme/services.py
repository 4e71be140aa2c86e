"""Running the programme: inviting staff and ending their attachments. Practices and the staff
survey are written by `practices.services`; the caseload by `participants.services`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from participants.models import CaseStatus, Participant
from participants.services import caseload_reassign, open_cases_of
from practices.models import Attachment, Practice, StaffRole
from practices.roles import roles_of
from practices.services import attachment_add
from programme.models import Invitation
from programme.tokens import invitation_tokens


class ProgrammeRole:
    NONE = ""
    LEAD = "lead"
    ADMINISTRATOR = "administrator"


def _username_for(email: str) -> str:
    """A sign-in name from the address's local part, made unique with a number."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0].lower())[:140] or "staff"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def invitation_link(person: User) -> str:
    path = reverse(
        "passwords:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": invitation_tokens.make_token(person),
        },
    )
    return settings.LINKS_BASE_URL.rstrip("/") + path


def _send(invitation: Invitation, link: str) -> None:
    """The email names the person's sign-in and carries the link; nothing about participants,
    and never a password."""
    person = invitation.user
    context = {
        "person": person,
        "link": link,
        "invited_by": invitation.invited_by,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    send_mail(
        subject="You are invited to Links",
        message=render_to_string("programme/email/invitation.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )


def _issue(*, user: User, request: HttpRequest | None, person: User, detail: str) -> Invitation:
    if not person.email:
        raise ValidationError(f"{person.display_name} has no email address to invite.")
    if not person.is_active:
        raise ValidationError(f"{person.display_name}'s account is deactivated.")
    Invitation.objects.filter(user=person, withdrawn_at=None, accepted_at=None).update(
        withdrawn_at=timezone.now()
    )
    invitation = Invitation.objects.create(user=person, invited_by=user)
    # The link belongs to this invitation: made now, while it is the newest. It is sent after
    # commit, so a rolled-back invitation never arrives in anyone's inbox.
    link = invitation_link(person)
    transaction.on_commit(lambda: _send(invitation, link))
    audit_record(request=request, user=user, action=Action.CREATE, obj=invitation, detail=detail)
    return invitation


def _require_may_grant(user: User, programme_role: str) -> None:
    if programme_role and not roles_of(user).administrator:
        raise ValidationError(
            "Only an administrator can create programme-lead or administrator accounts."
        )


@transaction.atomic
def staff_invite(
    *,
    user: User,
    request: HttpRequest | None = None,
    full_name: str,
    email: str,
    practices: Iterable[Practice] = (),
    role: str = "",
    started_on: date | None = None,
    programme_role: str = ProgrammeRole.NONE,
) -> Invitation:
    """Create an account with no usable password, attach it, and email a link to set one."""
    _require_may_grant(user, programme_role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already has an account with this address."})
    practices = list(practices)
    if practices and role not in StaffRole.values:
        raise ValidationError({"role": "Choose CLP or practice manager."})
    if not practices and not programme_role:
        raise ValidationError("Attach the person to a practice, or give them a programme role.")
    person = User(
        username=_username_for(email),
        email=email,
        full_name=full_name.strip(),
        is_programme_lead=programme_role == ProgrammeRole.LEAD,
        is_superuser=programme_role == ProgrammeRole.ADMINISTRATOR,
        is_staff=programme_role == ProgrammeRole.ADMINISTRATOR,
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    audit_record(request=request, user=user, action=Action.CREATE, obj=person)
    for practice in practices:
        attachment_add(
            user=user,
            request=request,
            person=person,
            practice=practice,
            role=role,
            started_on=started_on or timezone.localdate(),
        )
    return _issue(user=user, request=request, person=person, detail="invited")


@transaction.atomic
def invitation_resend(
    *, user: User, request: HttpRequest | None = None, person: User
) -> Invitation:
    """A fresh link; the earlier ones stop working."""
    if person.has_usable_password() and person.last_login is not None:
        raise ValidationError(f"{person.display_name} already signs in.")
    _require_may_grant(user, _programme_role_of(person))
    return _issue(user=user, request=request, person=person, detail="sent again")


def _programme_role_of(person: User) -> str:
    if person.is_superuser:
        return ProgrammeRole.ADMINISTRATOR
    if person.is_programme_lead:
        return ProgrammeRole.LEAD
    return ProgrammeRole.NONE


@transaction.atomic
def invitation_withdraw(
    *, user: User, request: HttpRequest | None = None, invitation: Invitation
) -> Invitation:
    if not invitation.pending:
        raise ValidationError("This invitation has already been used or withdrawn.")
    _require_may_grant(user, _programme_role_of(invitation.user))
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit_record(
        request=request, user=user, action=Action.UPDATE, obj=invitation, detail="withdrawn"
    )
    return invitation


def invitation_accepted(*, request: HttpRequest | None = None, person: User) -> None:
    """The person set their password through their invitation link."""
    invitation = Invitation.objects.filter(user=person).order_by("-sent_at", "-id").first()
    if invitation is not None and invitation.pending:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    audit_record(
        request=request, user=person, action=Action.UPDATE, obj=person, detail="password set"
    )


def staff_not_signed_in() -> list[User]:
    """Active accounts that have never signed in and have an address to write to: staff
    brought in by an import, and people whose invitation lapsed."""
    return list(
        User.objects.filter(is_active=True, last_login__isnull=True)
        .exclude(email="")
        .exclude(is_superuser=True)
        .exclude(is_programme_lead=True)
        .order_by("full_name", "username")
    )


def invitations_send_bulk(*, user: User, request: HttpRequest | None = None) -> int:
    """Invite every member of practice staff who has not signed in yet. Programme leads and
    administrators are left to an administrator, one at a time."""
    people = staff_not_signed_in()
    for person in people:
        with transaction.atomic():
            _issue(user=user, request=request, person=person, detail="sent in bulk")
    return len(people)


@transaction.atomic
def attachment_end(
    *,
    user: User,
    request: HttpRequest | None = None,
    attachment: Attachment,
    on: date,
    reassign_to: User | None = None,
) -> int:
    """End a member of staff's work at a practice on `on`. A CLP's open cases there go to
    `reassign_to` in the same step; returns how many."""
    if attachment.ended_on is not None and attachment.ended_on <= on:
        raise ValidationError("This attachment has already ended.")
    if on < attachment.started_on:
        raise ValidationError({"on": "An attachment cannot end before it started."})
    moved = 0
    if attachment.role == StaffRole.CLP and open_cases_of(
        practice=attachment.practice, clp=attachment.user
    ):
        if reassign_to is None:
            raise ValidationError(
                {"reassign_to": "Choose the CLP who takes over this person's open cases."}
            )
        moved = caseload_reassign(
            user=user,
            request=request,
            practice=attachment.practice,
            from_clp=attachment.user,
            to_clp=reassign_to,
        )
    attachment.ended_on = on
    attachment.full_clean()
    attachment.save(update_fields=["ended_on"])
    audit_record(request=request, user=user, action=Action.UPDATE, obj=attachment, detail="ended")
    return moved


@transaction.atomic
def account_deactivate(*, user: User, request: HttpRequest | None = None, person: User) -> User:
    """The person can no longer sign in; their records and history stay. Pending invitations
    are withdrawn with it."""
    if person.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account.")
    _require_may_grant(user, _programme_role_of(person))
    if Participant.objects.filter(clp=person, status=CaseStatus.OPEN).exists():
        raise ValidationError(
            f"{person.display_name} still holds open cases: end their attachments first, "
            "choosing who takes the cases over."
        )
    person.is_active = False
    person.save(update_fields=["is_active"])
    Invitation.objects.filter(user=person, withdrawn_at=None, accepted_at=None).update(
        withdrawn_at=timezone.now()
    )
    audit_record(request=request, user=user, action=Action.UPDATE, obj=person, detail="deactivated")
    return person
