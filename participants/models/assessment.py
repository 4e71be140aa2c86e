from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from participants.rules import validate_plausible_date


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    FOLLOW_UP = "follow_up", "Nine-month follow-up"


HADS_ITEMS = [f"hads_{i}" for i in range(1, 15)]
EQ5D_DIMENSIONS = [
    "eq5d_mobility",
    "eq5d_self_care",
    "eq5d_usual_activities",
    "eq5d_pain_discomfort",
    "eq5d_anxiety_depression",
]
WEMWBS_ITEMS = [f"wemwbs_{i}" for i in range(1, 15)]
ONS4_ITEMS = ["ons_life_satisfaction", "ons_worthwhile", "ons_happiness", "ons_anxiety"]


class Assessment(models.Model):
    """Outcome measures at baseline or follow-up. Item scores are stored as marked on each
    instrument's scoring key; subscale and total scores are computed by
    `participants.measures` when the items are complete, and stay empty otherwise. The
    questionnaires' wording is copyrighted and is not in the app."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="assessments"
    )
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    date = models.DateField(validators=[validate_plausible_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    hads_1 = models.PositiveSmallIntegerField(
        "HADS item 1",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_2 = models.PositiveSmallIntegerField(
        "HADS item 2",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_3 = models.PositiveSmallIntegerField(
        "HADS item 3",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_4 = models.PositiveSmallIntegerField(
        "HADS item 4",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_5 = models.PositiveSmallIntegerField(
        "HADS item 5",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_6 = models.PositiveSmallIntegerField(
        "HADS item 6",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_7 = models.PositiveSmallIntegerField(
        "HADS item 7",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_8 = models.PositiveSmallIntegerField(
        "HADS item 8",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_9 = models.PositiveSmallIntegerField(
        "HADS item 9",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_10 = models.PositiveSmallIntegerField(
        "HADS item 10",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_11 = models.PositiveSmallIntegerField(
        "HADS item 11",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_12 = models.PositiveSmallIntegerField(
        "HADS item 12",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_13 = models.PositiveSmallIntegerField(
        "HADS item 13",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_14 = models.PositiveSmallIntegerField(
        "HADS item 14",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)],
    )
    hads_anxiety = models.PositiveSmallIntegerField("HADS anxiety", null=True, blank=True)
    hads_depression = models.PositiveSmallIntegerField("HADS depression", null=True, blank=True)
    exercise_days = models.PositiveSmallIntegerField(
        "days with 30 minutes of moderate activity",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(7)],
    )
    eq5d_mobility = models.PositiveSmallIntegerField(
        "EQ-5D-5L mobility",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    eq5d_self_care = models.PositiveSmallIntegerField(
        "EQ-5D-5L self care",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    eq5d_usual_activities = models.PositiveSmallIntegerField(
        "EQ-5D-5L usual activities",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    eq5d_pain_discomfort = models.PositiveSmallIntegerField(
        "EQ-5D-5L pain discomfort",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    eq5d_anxiety_depression = models.PositiveSmallIntegerField(
        "EQ-5D-5L anxiety depression",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    eq5d_vas = models.PositiveSmallIntegerField(
        "EQ-5D visual analogue scale",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    wemwbs_1 = models.PositiveSmallIntegerField(
        "WEMWBS item 1",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_2 = models.PositiveSmallIntegerField(
        "WEMWBS item 2",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_3 = models.PositiveSmallIntegerField(
        "WEMWBS item 3",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_4 = models.PositiveSmallIntegerField(
        "WEMWBS item 4",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_5 = models.PositiveSmallIntegerField(
        "WEMWBS item 5",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_6 = models.PositiveSmallIntegerField(
        "WEMWBS item 6",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_7 = models.PositiveSmallIntegerField(
        "WEMWBS item 7",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_8 = models.PositiveSmallIntegerField(
        "WEMWBS item 8",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_9 = models.PositiveSmallIntegerField(
        "WEMWBS item 9",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_10 = models.PositiveSmallIntegerField(
        "WEMWBS item 10",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_11 = models.PositiveSmallIntegerField(
        "WEMWBS item 11",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_12 = models.PositiveSmallIntegerField(
        "WEMWBS item 12",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_13 = models.PositiveSmallIntegerField(
        "WEMWBS item 13",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_14 = models.PositiveSmallIntegerField(
        "WEMWBS item 14",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    wemwbs_total = models.PositiveSmallIntegerField("WEMWBS total", null=True, blank=True)
    swemwbs = models.FloatField("SWEMWBS metric score", null=True, blank=True)
    eq5d_index = models.FloatField("EQ-5D-5L index (England)", null=True, blank=True)
    ons_life_satisfaction = models.PositiveSmallIntegerField(
        "ONS4 life satisfaction",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    ons_worthwhile = models.PositiveSmallIntegerField(
        "ONS4 worthwhile",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    ons_happiness = models.PositiveSmallIntegerField(
        "ONS4 happiness",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    ons_anxiety = models.PositiveSmallIntegerField(
        "ONS4 anxiety",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        # Assessments of one kind in a period: the annual report's nine-month outcomes.
        indexes = [models.Index(fields=["timepoint", "date"], name="assessment_timepoint_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "timepoint"], name="assessment_one_per_timepoint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.ref} {self.get_timepoint_display()} on {self.date}"

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref
