from django.conf import settings
from django.db import models
from django.db.models import Q

from participants.rules import validate_plausible_date


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class ReferredBy(models.TextChoices):
    GP = "gp", "GP"
    NURSE = "nurse", "Nurse"
    PRACTICE_STAFF = "practice_staff", "Other practice staff"
    SELF = "self", "Self-referral"
    OTHER = "other", "Other"


class PreferredContact(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    DISENGAGED = "disengaged", "Stopped engaging"
    REFERRED_ON = "referred_on", "Referred on to another service"
    MOVED = "moved", "Moved away"
    DIED = "died", "Died"
    WITHDREW = "withdrew", "Withdrew"
    OTHER = "other", "Other"


class ReferenceSequence(models.Model):
    """The last programme reference handed out, so that a reference is never reused even
    after its participant is deleted."""

    name = models.CharField(max_length=20, primary_key=True)
    last_value = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class Participant(models.Model):
    """A patient referred to a CLP. `ref` (P1000…) is the opaque id used in URLs, exports
    and conversations instead of a name."""

    ref = models.CharField("reference", max_length=20, unique=True)
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="participants"
    )
    clp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name="CLP",
    )
    chi = models.CharField("CHI number", max_length=10, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(validators=[validate_plausible_date])
    sex = models.CharField(max_length=10, choices=Sex.choices)
    postcode = models.CharField(max_length=8, blank=True)
    simd_data_zone = models.CharField("SIMD data zone", max_length=9, blank=True)
    simd_decile = models.PositiveSmallIntegerField("SIMD decile", null=True, blank=True)
    simd_quintile = models.PositiveSmallIntegerField("SIMD quintile", null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    consent_given = models.BooleanField("consent recorded", default=False)
    consent_on = models.DateField(
        "consent date", null=True, blank=True, validators=[validate_plausible_date]
    )
    referred_on = models.DateField(
        "referred into the programme on", validators=[validate_plausible_date]
    )
    referred_by = models.CharField(max_length=20, choices=ReferredBy.choices)
    referral_reason = models.TextField("reason for referral", blank=True)
    next_contact_on = models.DateField(
        "next contact", null=True, blank=True, validators=[validate_plausible_date]
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The day of the first need recorded in each domain (`needs.DOMAIN_DATES`), kept by the
    # database from the participant's needs (migration 0020): the annual statistics count the
    # domains a participant's needs span by a day from their own row, not from every need.
    first_physical_need_on = models.DateField(null=True, editable=False)
    first_mental_need_on = models.DateField(null=True, editable=False)
    first_social_need_on = models.DateField(null=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "ref"]
        indexes = [
            # The caseload of a practice in its usual order (by name), a page at a time:
            # read in order from the index, not sorted from every open case of a practice
            # of 20,000 (bench/NOTES.md, "Pages at national scale").
            models.Index(
                fields=["practice", "status", "last_name", "first_name", "ref"],
                name="participant_practice_name_idx",
            ),
            models.Index(fields=["clp", "status"]),
            # A CLP's own participants in their practices (the worklist, the home page's
            # counts): read from the index alone, without visiting a row for each
            # participant (bench/NOTES.md, "Pages at national scale").
            models.Index(
                fields=["clp", "practice"], include=["id"], name="participant_clp_practice_idx"
            ),
            # A practice's cases per CLP and state (the practice dashboard), and each one's id
            # for its consultations of the last 30 days: from the index alone, not a visit to
            # the row of each of a practice's 20,000 participants (bench/NOTES.md).
            models.Index(
                fields=["practice", "clp", "status"],
                include=["id"],
                name="participant_practice_clp_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True, discharge_reason="")
                | Q(status="closed", closed_on__isnull=False) & ~Q(discharge_reason=""),
                name="participant_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(simd_quintile__isnull=True)
                | Q(simd_quintile__gte=1, simd_quintile__lte=5),
                name="participant_simd_quintile_range",
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def audit_participant_ref(self) -> str:
        return self.ref


class StatusChange(models.Model):
    """A case closed or reopened: when, why and by whom. Shown on the timeline."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices)
    on = models.DateField(validators=[validate_plausible_date])
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.participant.ref} {self.status} on {self.on}"
