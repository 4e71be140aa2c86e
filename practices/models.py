from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone

from practices.rules import validate_plausible_date


class HealthBoard(models.TextChoices):
    AYRSHIRE_ARRAN = "ayrshire_arran", "NHS Ayrshire & Arran"
    BORDERS = "borders", "NHS Borders"
    DUMFRIES_GALLOWAY = "dumfries_galloway", "NHS Dumfries & Galloway"
    FIFE = "fife", "NHS Fife"
    FORTH_VALLEY = "forth_valley", "NHS Forth Valley"
    GRAMPIAN = "grampian", "NHS Grampian"
    GREATER_GLASGOW_CLYDE = "greater_glasgow_clyde", "NHS Greater Glasgow & Clyde"
    HIGHLAND = "highland", "NHS Highland"
    LANARKSHIRE = "lanarkshire", "NHS Lanarkshire"
    LOTHIAN = "lothian", "NHS Lothian"
    ORKNEY = "orkney", "NHS Orkney"
    SHETLAND = "shetland", "NHS Shetland"
    TAYSIDE = "tayside", "NHS Tayside"
    WESTERN_ISLES = "western_isles", "NHS Western Isles"


class PracticeQuerySet(models.QuerySet):
    def in_programme(self, on=None):
        """Practices taking part on `on` (today): joined, and not yet left. A practice that left
        keeps its records and its years, but takes no new registrations or transfers."""
        on = on or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=on), joined_on__lte=on)


class Practice(models.Model):
    name = models.CharField(max_length=200)
    code = models.CharField("practice code", max_length=20, unique=True)
    health_board = models.CharField(max_length=40, choices=HealthBoard.choices)
    deep_end = models.BooleanField("Deep End practice", default=False)
    list_size = models.PositiveIntegerField(null=True, blank=True)
    joined_on = models.DateField("joined the programme", validators=[validate_plausible_date])
    left_on = models.DateField(
        "left the programme", null=True, blank=True, validators=[validate_plausible_date]
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="practice_left_after_joined",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class StaffRole(models.TextChoices):
    CLP = "clp", "Community Links Practitioner"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"


class AttachmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), started_on__lte=on)

    def current_roles_of(self, user_id: int) -> list[tuple[int, str]]:
        """`current().filter(user_id=…).values_list("practice_id", "role")`, written out:
        every signed-in page asks it once, and building the ORM's query cost ten times
        running it (bench/NOTES.md). The same rule as `current()`, checked against it in
        tests/practices/test_roles.py."""
        on = timezone.localdate()
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT practice_id, role FROM {table} WHERE user_id = %s"  # noqa: S608
                " AND started_on <= %s AND (ended_on IS NULL OR ended_on >= %s)",
                [user_id, on, on],
            )
            return cursor.fetchall()


class Attachment(models.Model):
    """A member of staff working at a practice in one role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    started_on = models.DateField(default=timezone.localdate, validators=[validate_plausible_date])
    ended_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["practice__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "practice", "role"], name="attachment_unique_role_per_practice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.practice}"


class StaffSurveyRound(models.Model):
    """A year's staff survey, answered through each practice's own link until it closes.
    Closing freezes it: no answers arrive after that, through a link or on paper."""

    year = models.PositiveSmallIntegerField(unique=True)
    opened_on = models.DateField(default=timezone.localdate)
    closes_on = models.DateField("closes on")
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="surveyround_year_range"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opened_on")),
                name="surveyround_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Staff survey {self.year}"

    def is_open(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.closed_at is None and self.opened_on <= on <= self.closes_on


class StaffSurveyResponse(models.Model):
    """One anonymous answer to the yearly staff survey of the "links approach": no person is
    recorded, only the practice and the year."""

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="staff_survey_responses"
    )
    year = models.PositiveSmallIntegerField()
    # Answers imported from a file or entered before rounds existed belong to no round.
    round = models.ForeignKey(
        StaffSurveyRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    on_paper = models.BooleanField("entered from a paper form", default=False)
    wellbeing_activities = models.BooleanField(
        "takes part in team-wellbeing activities", default=False
    )
    give_up_within_5y = models.BooleanField(
        "likely to give up patient care within five years", default=False
    )

    class Meta:
        ordering = ["year", "practice__name", "id"]
        indexes = [models.Index(fields=["year", "practice"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="staffsurvey_year_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice.code} {self.year}"
