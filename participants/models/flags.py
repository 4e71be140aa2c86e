from django.conf import settings
from django.db import models
from django.db.models import Q


class FlagKind(models.TextChoices):
    DO_NOT_VISIT_ALONE = "do_not_visit_alone", "Do not visit alone"
    AGGRESSION = "aggression", "Aggressive behaviour reported"
    NO_LETTERS = "no_letters", "Do not contact by letter"
    NO_PHONE_MESSAGES = "no_phone_messages", "Do not leave phone messages"
    OTHER = "other", "Other risk"


class RiskFlagQuerySet(models.QuerySet):
    def active(self) -> "RiskFlagQuerySet":
        return self.filter(ended_at__isnull=True)


class RiskFlag(models.Model):
    """A warning for the staff who meet a participant. A flag is ended, never edited or
    deleted, so the record keeps who warned of what and when, and who lifted it."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="risk_flags"
    )
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    reason = models.TextField(max_length=2000)
    review_on = models.DateField("review date", null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = models.CharField("why it ended", max_length=255, blank=True)

    objects = RiskFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [
            models.Index(
                fields=["participant"],
                condition=Q(ended_at__isnull=True),
                name="riskflag_active_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_by__isnull=True)
                | Q(ended_at__isnull=False, ended_by__isnull=False),
                name="riskflag_ended_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref
