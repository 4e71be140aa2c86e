import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class SafeguardingLead(models.Model):
    """A member of staff designated to see and act on a practice's safeguarding concerns."""

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.CASCADE, related_name="safeguarding_leads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safeguarding_leads"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_lead_row_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.practice}"


class ConcernAbout(models.TextChoices):
    ADULT = "adult", "An adult"
    CHILD = "child", "A child"


class ConcernCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect or self-neglect"
    FINANCIAL = "financial", "Financial or material abuse"
    DOMESTIC = "domestic", "Domestic abuse"
    SELF_HARM = "self_harm", "Risk of self-harm or suicide"
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Psychological or emotional abuse"
    EXPLOITATION = "exploitation", "Exploitation"
    OTHER = "other", "Other"


class InitialAction(models.TextChoices):
    GP = "gp", "Discussed with the GP"
    SOCIAL_WORK = "social_work", "Referred to social work"
    POLICE = "police", "Reported to the police"
    NONE = "none", "None yet"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Concern(models.Model):
    """A safeguarding concern raised by a CLP about a participant or someone around them.
    Need-to-know: see `safeguarding.access`. `public_id` is the only id in links and
    emails, so a link says nothing about who or how many."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    # The practice the concern was raised at: its leads act on it, even if the participant
    # later moves practice.
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    about = models.CharField("the concern is about", max_length=10, choices=ConcernAbout.choices)
    category = models.CharField(max_length=20, choices=ConcernCategory.choices)
    what_happened = models.TextField("what was seen or said", max_length=5000)
    action_taken = models.CharField(max_length=20, choices=InitialAction.choices)
    occurred_at = models.DateTimeField("when")
    status = models.CharField(
        max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    outcome = models.TextField("outcome", max_length=2000, blank=True)
    leads_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True, closed_by__isnull=True)
                | Q(status="closed", closed_at__isnull=False, closed_by__isnull=False),
                name="concern_closed_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Concern {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ConcernStatus.OPEN

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref


class ConcernAction(models.Model):
    """A follow-up step on a concern, in order, until it is closed. Never edited."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    note = models.TextField("action taken", max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Action on {self.concern_id}"

    @property
    def audit_participant_ref(self) -> str:
        return self.concern.participant.ref
