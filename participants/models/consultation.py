from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from participants.models.needs import Need
from participants.models.participant import Participant
from participants.rules import validate_plausible_date


class ConsultationMode(models.TextChoices):
    PRACTICE = "practice", "At the practice"
    HOME = "home", "Home visit"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video"


class GoalProgress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    SOME = "some", "Some progress"
    GOOD = "good", "Good progress"
    ACHIEVED = "achieved", "Achieved"


class Consultation(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consultations"
    )
    clp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name="CLP",
    )
    date = models.DateField(validators=[validate_plausible_date])
    mode = models.CharField(max_length=10, choices=ConsultationMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        validators=[
            MaxValueValidator(480, "A consultation cannot last more than 8 hours (480 minutes).")
        ],
    )
    attended = models.BooleanField(default=True)
    needs_discussed = models.ManyToManyField(Need, blank=True, related_name="+")
    goals = models.TextField("goals agreed", blank=True)
    goal_progress = models.CharField(
        "progress on goals", max_length=20, choices=GoalProgress.choices, blank=True
    )
    notes = models.TextField(blank=True)
    # Who went on a home visit to someone flagged "do not visit alone": the CLP's
    # confirmation that they did not go alone.
    visited_with = models.CharField("who went with you", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The participant's practice and CLP, kept by the database as a follow-up's are
    # (migration 0018's triggers: set on every write, moved with a participant who changes
    # practice or CLP), so that a practice's consultations of a period are one index range
    # rather than a probe per participant (bench/NOTES.md). Never written by the application.
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    caseload_clp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["participant", "date"]),
            # "Attended consultations of a participant, by date": the caseload's last contact
            # and count, the statistics' supported and dose. Index-only, no DNA rows.
            models.Index(
                fields=["participant", "date"],
                condition=Q(attended=True),
                name="consultation_attended_idx",
            ),
            # "Did-not-attends by date": the statistics' DNAs in a period, index-only; small
            # (the DNAs alone), where an index of every consultation by date would not be.
            models.Index(
                fields=["date"],
                condition=Q(attended=False),
                name="consultation_not_attended_idx",
            ),
            # "A practice's attended consultations of a period, by its participants' CLPs":
            # the practice dashboard's last 30 days, index-only.
            models.Index(
                fields=["practice", "date"],
                include=["caseload_clp"],
                condition=Q(attended=True),
                name="consultation_practice_date_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=0, duration_minutes__lte=480),
                name="consultation_duration_range",
            ),
            # participants.rules: a did-not-attend lasts 0 minutes.
            models.CheckConstraint(
                condition=Q(attended=True) | Q(duration_minutes=0),
                name="consultation_did_not_attend_no_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.ref} on {self.date:%d %b %Y}"

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref
