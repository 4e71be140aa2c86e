"""The link in an invitation: Django's password-reset token, salted for invitations and tied
to the person's newest invitation.

Django's token already stops working once the password is set (the hash covers the password
and the last sign-in) and after PASSWORD_RESET_TIMEOUT. Adding the newest invitation's id and
its withdrawal time means a withdrawn invitation, or one replaced by a resend, is refused
too; so is any link of a deactivated account."""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from programme.models import Invitation


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "programme.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        invitation = Invitation.objects.filter(user=user).order_by("-sent_at", "-id").first()
        state = (
            f"{invitation.pk}:{invitation.withdrawn_at}:{invitation.accepted_at}"
            if invitation is not None
            else "none"
        )
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{state}"


invitation_tokens = InvitationTokenGenerator()
