from django.conf import settings
from django.db import models
from django.utils import timezone


class FeedbackLink(models.Model):
    """A link a community organisation uses once, without an account, to say how a referral
    went. Only a SHA-256 hash of the link's random nonce is stored: the link itself is shown
    to the CLP once and cannot be rebuilt from the database."""

    class State(models.TextChoices):
        ACTIVE = "active", "Waiting for the organisation"
        USED = "used", "Used"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Withdrawn"

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="feedback_links"
    )
    nonce_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Where Links emailed the link, if it did; blank when the CLP copied it to send it.
    sent_to = models.EmailField(blank=True)
    # Set on a link once a reminder for it has gone out (and on the reminder's own link), so
    # each emailed link is reminded at most once.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Feedback link for referral {self.referral_id} ({self.state})"

    def state_at(self, now) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.used_at is not None:
            return self.State.USED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def audit_participant_ref(self) -> str:
        return self.referral.participant.ref
