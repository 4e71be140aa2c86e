from django.conf import settings
from django.db import models
from django.utils import timezone


class Invitation(models.Model):
    """An email asking a member of staff to set their password. Only the newest invitation of
    a person counts: resending or withdrawing one makes every earlier link useless
    (`programme.tokens`), and setting the password uses the link up."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["user", "-sent_at"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} for {self.user}"

    @property
    def pending(self) -> bool:
        return self.withdrawn_at is None and self.accepted_at is None
