"""Writing directory and referral data. Views call these; the rules live here.

Every function validates with full_clean(), writes in one transaction and records an audit
event naming what changed (never free-text values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from participants.access import participants_editable_by
from participants.models import CaseStatus, Need, Participant
from participants.postcodes import normalise_postcode
from participants.rules import require_consent_to_share
from participants.services import participant_lock
from referrals import lifecycle, links
from referrals.access import can_maintain_resources, referrals_editable_by
from referrals.models import (
    Category,
    CommunityResource,
    FeedbackLink,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.models.referral import OPEN_STATUSES

STARTING_STATUSES = (ReferralStatus.SUGGESTED, ReferralStatus.REFERRED)


class LinkUnavailable(Exception):
    """The organisation's link was used, has expired or was withdrawn."""

    def __init__(self, state: str):
        super().__init__(f"The feedback link is {state}.")
        self.state = state


# The directory


@transaction.atomic
def resource_save(
    *,
    user: User,
    request: HttpRequest | None = None,
    resource: CommunityResource,
    categories: Iterable[Category],
    changed: Iterable[str] = (),
) -> CommunityResource:
    """Add a service to the directory or save changes to one."""
    if not can_maintain_resources(user):
        raise PermissionDenied
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": "Choose at least one category."})
    if resource.postcode.strip():
        try:
            resource.postcode = normalise_postcode(resource.postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from None
    else:
        resource.postcode = ""
    creating = resource._state.adding
    if creating:
        resource.created_by = user
    resource.full_clean()
    resource.save()
    resource.categories.set(categories)
    audit_record(
        request=request,
        user=user,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=resource,
        detail="" if creating else ", ".join(changed),
    )
    return resource


@transaction.atomic
def resource_set_active(
    *, user: User, request: HttpRequest | None = None, resource: CommunityResource, active: bool
) -> CommunityResource:
    """Services are deactivated, never deleted: old referrals keep pointing at them."""
    if not can_maintain_resources(user):
        raise PermissionDenied
    if resource.active == active:
        raise ValidationError(f"This service is already {'active' if active else 'inactive'}.")
    resource.active = active
    resource.save(update_fields=["active", "updated_at"])
    audit_record(
        request=request,
        user=user,
        action=Action.UPDATE,
        obj=resource,
        detail="reactivated" if active else "deactivated",
    )
    return resource


# Referrals


def _not_in_future(value: date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _duplicate_message(existing: Referral) -> str:
    return (
        f"{existing.participant.first_name} already has an open referral to this service "
        f"({existing.get_status_display().lower()}, {existing.date:%d %b %Y}). "
        "Update that referral instead of making another."
    )


@transaction.atomic
def referral_create(
    *,
    user: User,
    request: HttpRequest | None = None,
    participant: Participant,
    resource: CommunityResource,
    on: date,
    status: str = ReferralStatus.SUGGESTED,
    need: Need | None = None,
    note: str = "",
) -> Referral:
    """Suggest a service to a participant, or refer them to it. Only the CLPs of the
    participant's practice may; one open referral per person and service."""
    participant_lock(participant_id=participant.pk)
    if not participants_editable_by(user).filter(pk=participant.pk).exists():
        raise PermissionDenied
    if status not in STARTING_STATUSES:
        raise ValidationError({"status": "A new referral starts as suggested or referred."})
    if participant.status != CaseStatus.OPEN:
        raise ValidationError("This case is closed; reopen it before making a referral.")
    if status == ReferralStatus.REFERRED:
        try:
            require_consent_to_share(consent_given=participant.consent_given)
        except ValidationError as error:
            raise ValidationError({"status": error.messages}) from None
    if not resource.active:
        raise ValidationError({"resource": "This service is no longer taking referrals."})
    _not_in_future(on, "on", "The referral date")
    if on < participant.referred_on:
        raise ValidationError(
            {"on": "The referral date is before the person joined the programme."}
        )
    existing = (
        Referral.objects.select_related("participant")
        .filter(participant=participant, resource=resource, status__in=OPEN_STATUSES)
        .first()
    )
    if existing is not None:
        raise ValidationError({"resource": _duplicate_message(existing)})
    referral = Referral(
        participant=participant,
        resource=resource,
        clp=user,
        date=on,
        need=need,
        note=note,
        status=status,
        status_on=on,
        referred_on=on if status == ReferralStatus.REFERRED else None,
    )
    referral.full_clean()
    try:
        # Two CLPs saving at once get past the check above; the database constraint is the
        # last word, and gets the same message.
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        existing = Referral.objects.filter(
            participant=participant, resource=resource, status__in=OPEN_STATUSES
        ).first()
        if existing is None:
            raise
        raise ValidationError({"resource": _duplicate_message(existing)}) from None
    ReferralStatusChange.objects.create(referral=referral, status=status, on=on, by=user)
    audit_record(request=request, user=user, action=Action.CREATE, obj=referral, detail=status)
    return referral


def _move(
    referral: Referral,
    *,
    status: str,
    on: date,
    by=None,
    by_organisation: bool = False,
    note: str = "",
) -> list[str]:
    """Apply one step of the lifecycle to a loaded referral; the fields it changed."""
    reason = lifecycle.refusal(referral.status, status)
    if reason:
        raise ValidationError({"status": reason})
    if on < referral.status_on:
        raise ValidationError(
            {"on": f"The referral's last change was on {referral.status_on:%d %b %Y}."}
        )
    referral.status = status
    referral.status_on = on
    changed = ["status", "status_on"]
    for field in lifecycle.milestones_for(status):
        if getattr(referral, field) is None:
            setattr(referral, field, on)
            changed.append(field)
    ReferralStatusChange.objects.create(
        referral=referral, status=status, on=on, by=by, by_organisation=by_organisation, note=note
    )
    return changed


@transaction.atomic
def referral_set_status(
    *,
    user: User,
    request: HttpRequest | None = None,
    referral: Referral,
    status: str,
    on: date,
    note: str = "",
) -> Referral:
    """Move a referral along its lifecycle: forwards only, dated, by a CLP of its practice."""
    if not referrals_editable_by(user).filter(pk=referral.pk).exists():
        raise PermissionDenied
    _not_in_future(on, "on", "The date")
    participant_lock(participant_id=referral.participant_id)
    # Locked and re-read in place: the caller's object shows the new state afterwards.
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    if status == ReferralStatus.REFERRED:
        try:
            require_consent_to_share(consent_given=referral.participant.consent_given)
        except ValidationError as error:
            raise ValidationError({"status": error.messages}) from None
    changed = _move(referral, status=status, on=on, by=user, note=note)
    referral.full_clean()
    referral.save(update_fields=[*changed, "updated_at"])
    audit_record(
        request=request, user=user, action=Action.UPDATE, obj=referral, detail=f"status: {status}"
    )
    return referral


def referral_close(
    *, user: User, request: HttpRequest | None = None, referral: Referral, on: date, note: str = ""
) -> Referral:
    return referral_set_status(
        user=user,
        request=request,
        referral=referral,
        status=ReferralStatus.CLOSED,
        on=on,
        note=note,
    )


# Closing the loop with the organisation


@transaction.atomic
def feedback_link_issue(
    *, user: User, request: HttpRequest | None = None, referral: Referral, send_to: str = ""
) -> tuple[FeedbackLink, str]:
    """A new link for the organisation, and its token (shown to the CLP once, never stored).
    An earlier link still waiting is withdrawn: its token cannot be shown again anyway.
    With `send_to`, Links emails the link there; if the email cannot be sent, nothing is
    saved and the CLP is told."""
    if not referrals_editable_by(user).filter(pk=referral.pk).exists():
        raise PermissionDenied
    send_to = send_to.strip()
    if send_to:
        try:
            validate_email(send_to)
        except ValidationError:
            raise ValidationError({"send_to": "Enter a valid email address."}) from None
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    require_consent_to_share(consent_given=referral.participant.consent_given)
    if referral.status not in lifecycle.LINK_STATUSES:
        if referral.status == ReferralStatus.SUGGESTED:
            raise ValidationError(
                "This service has only been suggested. Mark the referral as referred "
                "before asking the organisation about it."
            )
        raise ValidationError(
            f"This referral is {referral.get_status_display().lower()}: there is nothing "
            "for the organisation to confirm."
        )
    now = timezone.now()
    withdrawn = 0
    for earlier in referral.feedback_links.select_for_update().filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ):
        earlier.revoked_at = now
        earlier.revoked_by = user
        earlier.save(update_fields=["revoked_at", "revoked_by"])
        withdrawn += 1
    token, nonce_hash = links.new_token()
    link = FeedbackLink(
        referral=referral,
        nonce_hash=nonce_hash,
        issued_by=user,
        issued_at=now,
        expires_at=now + links.LIFETIME,
        sent_to=send_to,
    )
    link.full_clean()
    link.save()
    detail = "feedback link issued"
    if withdrawn:
        detail += f"; {withdrawn} earlier link withdrawn"
    if send_to:
        _send_link(referral=referral, link=link, token=token, reminder=False)
        detail += "; emailed"
    audit_record(request=request, user=user, action=Action.CREATE, obj=link, detail=detail)
    return link, token


def feedback_url(token: str) -> str:
    return settings.LINKS_BASE_URL.rstrip("/") + reverse("feedback:respond", args=[token])


def _send_link(*, referral: Referral, link: FeedbackLink, token: str, reminder: bool) -> None:
    """The organisation's email says no more than the feedback page does: the person by
    first name and initial, the service and the date; not even the CLP's name.
    A failure to send raises, so the caller's transaction saves no link nobody received."""
    participant = referral.participant
    person = f"{participant.first_name} {participant.last_name[:1]}.".strip()
    service = referral.resource.name
    expires = timezone.localtime(link.expires_at)
    opening = "A reminder: we have not yet heard back about this referral.\n\n" if reminder else ""
    message = (
        f"Hello,\n\n{opening}"
        f"A Community Links Practitioner referred {person} to {service} on "
        f"{referral.date.day} {referral.date:%B %Y}.\n\n"
        "Could you tell us whether they came along, and whether the referral was right for "
        "your service? It takes a minute and needs no account:\n\n"
        f"{feedback_url(token)}\n\n"
        f"The link works once, until {expires.day} {expires:%B %Y}.\n"
    )
    try:
        send_mail(
            subject=("Reminder: " if reminder else "") + f"How did the referral to {service} go?",
            message=message,
            from_email=None,
            recipient_list=[link.sent_to],
        )
    except (OSError, ConnectionError) as error:
        raise ValidationError(
            "The email could not be sent, so no link was made. Try again, or copy a link "
            "to send yourself."
        ) from error


def feedback_reminders_send(*, now: datetime | None = None) -> int:
    """Remind organisations that have not answered an emailed link after
    LINKS_FEEDBACK_REMINDER_DAYS. The first link's token was never stored, so the reminder
    carries a second link to the same referral, expiring when the first does; either
    works, and answering through one closes both. Each emailed link is reminded once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.LINKS_FEEDBACK_REMINDER_DAYS)
    waiting = FeedbackLink.objects.filter(
        sent_to__gt="",
        reminded_at__isnull=True,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
        issued_at__lte=cutoff,
        referral__feedback_at__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(waiting):
        with transaction.atomic():
            link = (
                FeedbackLink.objects.select_for_update()
                .select_related("referral__participant", "referral__resource", "referral__clp")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if link is None or link.state_at(now) != FeedbackLink.State.ACTIVE:
                continue  # answered, withdrawn or reminded since the list was read
            token, nonce_hash = links.new_token()
            reminder = FeedbackLink.objects.create(
                referral=link.referral,
                nonce_hash=nonce_hash,
                issued_by=link.issued_by,
                issued_at=now,
                expires_at=link.expires_at,
                sent_to=link.sent_to,
                reminded_at=now,
            )
            link.reminded_at = now
            link.save(update_fields=["reminded_at"])
            try:
                _send_link(referral=link.referral, link=reminder, token=token, reminder=True)
            except ValidationError:
                # Rolled back: tomorrow's run tries again.
                transaction.set_rollback(True)
                continue
            audit_record(
                request=None,
                user=None,
                action=Action.CREATE,
                obj=reminder,
                detail="feedback reminder emailed",
            )
        sent += 1
    return sent


def feedback_unread_recount(user_id: int) -> None:
    """The CLP's count of answers not yet opened, recounted rather than stepped, so it can
    never drift from the referrals themselves."""
    unread = (
        Referral.objects.filter(clp_id=user_id)
        .order_by()
        .values("clp")
        .annotate(n=Count("id", filter=Q(feedback_at__isnull=False, feedback_read_at__isnull=True)))
        .values("n")
    )
    User.objects.filter(pk=user_id).update(unread_feedback=Subquery(unread))


@transaction.atomic
def feedback_mark_read(*, user: User, referral: Referral) -> None:
    """The referring CLP has opened the organisation's answer."""
    if referral.clp_id != user.pk or referral.feedback_at is None:
        return
    if referral.feedback_read_at is not None:
        return
    referral.feedback_read_at = timezone.now()
    referral.save(update_fields=["feedback_read_at"])
    feedback_unread_recount(user.pk)


@transaction.atomic
def feedback_link_revoke(
    *, user: User, request: HttpRequest | None = None, link: FeedbackLink
) -> FeedbackLink:
    if not referrals_editable_by(user).filter(pk=link.referral_id).exists():
        raise PermissionDenied
    link.refresh_from_db(from_queryset=FeedbackLink.objects.select_for_update())
    state = link.state_at(timezone.now())
    if state != FeedbackLink.State.ACTIVE:
        raise ValidationError(f"This link cannot be withdrawn: it is {state}.")
    link.revoked_at = timezone.now()
    link.revoked_by = user
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        request=request, user=user, action=Action.UPDATE, obj=link, detail="feedback link revoked"
    )
    return link


@transaction.atomic
def feedback_record(
    *,
    request: HttpRequest | None = None,
    link: FeedbackLink,
    attended: bool,
    engaged: bool,
    appropriate: bool,
    relevant: bool,
    comment: str = "",
) -> Referral:
    """The organisation's answer through its link. The link is locked and checked again
    here, so two submissions at once record one answer. The referral moves to attended or
    engaged as the organisation says, unless that would take it backwards or it has ended;
    the answer is kept on the referral either way."""
    link.refresh_from_db(from_queryset=FeedbackLink.objects.select_for_update())
    now = timezone.now()
    state = link.state_at(now)
    if state != FeedbackLink.State.ACTIVE:
        raise LinkUnavailable(state)
    if engaged and not attended:
        raise ValidationError({"engaged": "Someone who did not attend cannot have engaged."})
    referral = link.referral
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    link.used_at = now
    link.save(update_fields=["used_at"])
    # A reminder's twin link, or the original, is of no more use once one is answered.
    referral.feedback_links.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    referral.feedback_at = now
    referral.feedback_attended = attended
    referral.feedback_engaged = engaged
    referral.feedback_appropriate = appropriate
    referral.feedback_relevant = relevant
    referral.feedback_comment = comment.strip()
    changed = [
        "feedback_at",
        "feedback_attended",
        "feedback_engaged",
        "feedback_appropriate",
        "feedback_relevant",
        "feedback_comment",
    ]
    target = ReferralStatus.ENGAGED if engaged else ReferralStatus.ATTENDED if attended else None
    today = max(timezone.localdate(), referral.status_on)
    detail = "organisation feedback"
    if target and lifecycle.refusal(referral.status, target) is None:
        changed += _move(referral, status=target, on=today, by_organisation=True)
        detail += f"; status: {target}"
    referral.feedback_read_at = None
    changed.append("feedback_read_at")
    referral.full_clean()
    referral.save(update_fields=[*changed, "updated_at"])
    feedback_unread_recount(referral.clp_id)
    audit_record(request=request, action=Action.UPDATE, obj=referral, detail=detail)
    return referral
