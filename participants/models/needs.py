from django.conf import settings
from django.db import models
from django.db.models import Q

from participants.rules import validate_plausible_date


class NeedDomain(models.TextChoices):
    PHYSICAL = "physical", "Physical health"
    MENTAL = "mental", "Mental health"
    SOCIAL = "social", "Social"


# Each domain's column on the participant: the day of their first need in it, kept by the
# database (participants migration 0020).
DOMAIN_DATES: dict[str, str] = {
    NeedDomain.PHYSICAL: "first_physical_need_on",
    NeedDomain.MENTAL: "first_mental_need_on",
    NeedDomain.SOCIAL: "first_social_need_on",
}


class Need(models.Model):
    """A presenting problem from the programme's managed list, in one domain."""

    name = models.CharField(max_length=100, unique=True)
    domain = models.CharField(max_length=10, choices=NeedDomain.choices)
    active = models.BooleanField(default=True, help_text="Inactive needs stay on old records.")

    class Meta:
        ordering = ["domain", "name"]

    def __str__(self) -> str:
        return self.name


class ParticipantNeed(models.Model):
    """A need recorded for a participant; resolved when it no longer applies. Complexity is
    the number of domains a participant's needs span."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="needs"
    )
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    identified_on = models.DateField(validators=[validate_plausible_date])
    resolved_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["resolved_on", "need__domain", "need__name"]
        indexes = [
            # The annual statistics' need domains of the supported: each participant's
            # needs up to a day, read from the index alone (bench/NOTES.md).
            models.Index(
                fields=["participant"],
                include=["identified_on", "need"],
                name="participantneed_domains_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "need"],
                condition=Q(resolved_on__isnull=True),
                name="participantneed_one_current_per_need",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True)
                | Q(resolved_on__gte=models.F("identified_on")),
                name="participantneed_resolved_after_identified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.ref}: {self.need}"

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref
