from django.conf import settings
from django.db import models
from django.db.models import Q

from participants.rules import validate_plausible_date


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    DECLINED = "declined", "Declined"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


OPEN_FOLLOW_UP_STATUSES = [FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.OVERDUE]


class FollowUp(models.Model):
    """The nine-month follow-up of one baseline assessment. Created by the daily scheduling
    job (`participants.followups`), one per baseline whatever how often the job runs."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="follow_ups"
    )
    baseline = models.OneToOneField(
        "participants.Assessment", on_delete=models.CASCADE, related_name="follow_up_of"
    )
    due_on = models.DateField(validators=[validate_plausible_date])
    status = models.CharField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    reason = models.CharField(
        max_length=255, blank=True, help_text="Why it was missed, declined or not applicable."
    )
    assessment = models.OneToOneField(
        "participants.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completes",
    )
    closed_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The participant's practice and CLP, kept by the database (migration 0015's triggers:
    # set on every write, moved with a participant who changes practice or CLP), so that a
    # worklist reads its follow-ups from one index rather than probing one per participant
    # of the caseload (bench/NOTES.md). Never written by the application.
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    clp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            # A CLP's open follow-ups in their practices, and a practice's (the worklists).
            models.Index(
                fields=["clp", "practice", "due_on"],
                condition=Q(status__in=[s.value for s in OPEN_FOLLOW_UP_STATUSES]),
                name="followup_open_by_clp",
            ),
            models.Index(
                fields=["practice", "due_on"],
                condition=Q(status__in=[s.value for s in OPEN_FOLLOW_UP_STATUSES]),
                name="followup_open_by_practice",
            ),
            # The worklists: a caseload's open follow-ups, found per participant without
            # reading the closed ones, which outnumber them (bench/NOTES.md).
            models.Index(
                fields=["participant"],
                condition=Q(status__in=[s.value for s in OPEN_FOLLOW_UP_STATUSES]),
                name="followup_open_by_participant",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(assessment__isnull=False),
                name="followup_completed_has_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.ref} follow-up due {self.due_on}"

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref


class ReminderSent(models.Model):
    """One weekly reminder email per CLP per week, never two."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_starting = models.DateField(validators=[validate_plausible_date])
    sent_at = models.DateTimeField(auto_now_add=True)
    due = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_starting"], name="remindersent_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.week_starting}"
