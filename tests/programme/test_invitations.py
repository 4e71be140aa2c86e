"""Invitations: a single-use, expiring link to set a password; withdrawn, replaced, used or
deactivated links do nothing; only administrators create programme-wide accounts."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from practices.models import Attachment, StaffRole
from programme.models import Invitation
from programme.services import (
    ProgrammeRole,
    account_deactivate,
    invitation_resend,
    invitation_withdraw,
    invitations_send_bulk,
    staff_invite,
)
from programme.tokens import InvitationTokenGenerator
from tests.factories import UserFactory

PASSWORD = "Cobalt-harbour-lantern-42"

pytestmark = pytest.mark.django_db


def _invite(lead, practice, email="ivy@example.org", **kwargs):
    return staff_invite(
        user=lead,
        full_name="Ivy Invitee",
        email=email,
        practices=[practice],
        role=kwargs.pop("role", StaffRole.CLP),
        started_on=date(2026, 1, 5),
        **kwargs,
    )


def _path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _set_password(client, path):
    """Follow the link as Django's confirm view expects, then post the new password."""
    response = client.get(path, follow=True)
    if not response.context["validlink"]:
        return response
    return client.post(
        response.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )


def test_it_creates_an_account_without_a_password_attached_and_emails_a_link(
    lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lead, practice_a)
    person = invitation.user
    assert not person.has_usable_password() and person.last_login is None
    assert Attachment.objects.get(user=person).practice == practice_a
    [message] = mailoutbox
    assert message.to == ["ivy@example.org"]
    assert "/accounts/password/invitation/" in message.body
    assert f"Your sign-in name is {person.username}." in message.body
    assert AuditEvent.objects.filter(object_type="invitation", detail="invited").exists()


def test_the_link_sets_a_password_once(
    client, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lead, practice_a)
    path = _path(mailoutbox[0])
    response = _set_password(client, path)
    assert response.status_code == 302
    person = User.objects.get(pk=invitation.user.pk)
    assert person.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None

    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    assert "does not work" in again.content.decode()


def test_a_withdrawn_invitation_link_does_nothing(
    client, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lead, practice_a)
    invitation_withdraw(user=lead, invitation=invitation)
    response = _set_password(client, _path(mailoutbox[0]))
    assert response.context["validlink"] is False
    assert not User.objects.get(pk=invitation.user.pk).has_usable_password()


def test_resending_makes_the_earlier_link_useless(
    client, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lead, practice_a)
        invitation_resend(user=lead, person=invitation.user)
    first, second = mailoutbox
    assert _set_password(client, _path(first)).context["validlink"] is False
    assert _set_password(client, _path(second)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None


def test_a_deactivated_accounts_link_does_nothing(
    client, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lead, practice_a)
    account_deactivate(user=lead, person=invitation.user)
    assert _set_password(client, _path(mailoutbox[0])).context["validlink"] is False


def test_an_expired_link_does_nothing(
    client, settings, monkeypatch, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(lead, practice_a)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    assert _set_password(client, _path(mailoutbox[0])).context["validlink"] is False


@pytest.mark.parametrize("programme_role", [ProgrammeRole.LEAD, ProgrammeRole.ADMINISTRATOR])
def test_only_administrators_create_programme_wide_accounts(lead, admin_user, programme_role):
    with pytest.raises(ValidationError, match="Only an administrator"):
        staff_invite(
            user=lead, full_name="Lou", email="lou@example.org", programme_role=programme_role
        )
    assert not User.objects.filter(email="lou@example.org").exists()
    invitation = staff_invite(
        user=admin_user, full_name="Lou", email="lou@example.org", programme_role=programme_role
    )
    assert invitation.user.is_programme_lead == (programme_role == ProgrammeRole.LEAD)
    assert invitation.user.is_superuser == (programme_role == ProgrammeRole.ADMINISTRATOR)


def test_a_lead_posting_a_programme_role_gets_a_practice_account_at_most(as_user, lead, practice_a):
    response = as_user(lead).post(
        reverse("programme:invite"),
        {
            "full_name": "Sly",
            "email": "sly@example.org",
            "programme_role": ProgrammeRole.ADMINISTRATOR,
            "started_on": "2026-01-05",
        },
    )
    assert response.status_code == 200  # no practice chosen: the form says so
    assert not User.objects.filter(email="sly@example.org").exists()
    assert "programme_role" not in response.context["form"].fields


def test_a_lead_cannot_withdraw_or_deactivate_an_administrators_account(lead, admin_user):
    invitation = staff_invite(
        user=admin_user, full_name="Lou", email="lou@example.org", programme_role="lead"
    )
    with pytest.raises(ValidationError):
        invitation_withdraw(user=lead, invitation=invitation)
    with pytest.raises(ValidationError):
        account_deactivate(user=lead, person=admin_user)


def test_imported_staff_show_as_not_signed_in_and_are_invited_in_bulk(
    as_user, lead, practice_a, mailoutbox, django_capture_on_commit_callbacks
):
    imported = UserFactory(
        username="imported", full_name="Imogen Imported", email="imogen@example.org"
    )
    imported.set_unusable_password()
    imported.save()
    Attachment.objects.create(user=imported, practice=practice_a, role=StaffRole.CLP)
    page = as_user(lead).get(reverse("programme:staff")).content.decode()
    assert "Invited, not yet signed in" in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitations_send_bulk(user=lead)
    assert sent >= 1
    assert ["imogen@example.org"] in [m.to for m in mailoutbox]
    assert Invitation.objects.filter(user=imported).count() == 1


def test_the_email_carries_no_patient_data(
    lead, practice_a, participant_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(lead, practice_a)
    body = mailoutbox[0].body
    for secret in (participant_a.ref, participant_a.chi, participant_a.last_name):
        assert secret not in body
