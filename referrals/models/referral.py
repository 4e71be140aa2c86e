from django.conf import settings
from django.db import models
from django.db.models import Q

from participants.rules import validate_plausible_date


class ReferralStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    REFERRED = "referred", "Referred"
    ATTENDED = "attended", "Attended"
    ENGAGED = "engaged", "Engaged"
    DECLINED = "declined", "Declined"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CLOSED = "closed", "Closed"


# A referral is open until it is declined, not attended or closed; one person has at most one
# open referral to one service.
OPEN_STATUSES = (
    ReferralStatus.SUGGESTED,
    ReferralStatus.REFERRED,
    ReferralStatus.ATTENDED,
    ReferralStatus.ENGAGED,
)


class Referral(models.Model):
    """A participant pointed to a community resource by a CLP. `status` is where the
    referral stands now; `referred_on`, `attended_on` and `engaged_on` record when it first
    got that far and survive closing, so the programme's evidence (suggested versus engaged)
    is never lost."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="referrals"
    )
    resource = models.ForeignKey(
        "referrals.CommunityResource", on_delete=models.PROTECT, related_name="referrals"
    )
    # The participant's practice, kept by the database (referrals migration 0008): set on
    # insert and moved with the participant, so that the user's scope is an index range on
    # this table rather than a join through every participant. Never written by code but
    # the importer's, whose bulk COPY goes without the trigger and checks the value instead.
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
        related_name="referrals_made",
        verbose_name="CLP",
    )
    date = models.DateField("referral date", validators=[validate_plausible_date])
    need = models.ForeignKey(
        "participants.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="need it addresses",
    )
    note = models.TextField("note for the organisation", blank=True, max_length=1000)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    status_on = models.DateField("status since", validators=[validate_plausible_date])
    referred_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    attended_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    engaged_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    feedback_at = models.DateTimeField("organisation feedback received", null=True, blank=True)
    feedback_attended = models.BooleanField(null=True, blank=True)
    feedback_engaged = models.BooleanField(null=True, blank=True)
    feedback_appropriate = models.BooleanField(null=True, blank=True)
    feedback_relevant = models.BooleanField(null=True, blank=True)
    feedback_comment = models.TextField(blank=True, max_length=1000)
    feedback_read_at = models.DateTimeField(
        "feedback read by the CLP", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["resource", "date"]),
            models.Index(fields=["participant", "date"]),
            # The referral list: a practice's referrals newest first, without the
            # programme's other referrals (bench/NOTES.md).
            # The status rides along, so the list's count and its status tabs read the index
            # alone.
            models.Index(
                fields=["practice", "-date", "-id"],
                include=["status"],
                name="referral_practice_date_idx",
            ),
            # The directory's "people engaged" per service: an index-only count of
            # distinct participants, without reading the referrals (bench/NOTES.md).
            models.Index(
                fields=["resource", "participant"],
                condition=Q(engaged_on__isnull=False),
                name="referral_engaged_by_resource",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "resource"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="referral_one_open_per_participant_and_resource",
                violation_error_message="This person already has an open referral to this "
                "service. Update that referral instead of making another.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status_on__gte=models.F("date")), name="referral_status_after_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.ref} → {self.resource}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_feedback(self) -> bool:
        return self.feedback_at is not None

    @property
    def audit_participant_ref(self) -> str:
        return self.participant.ref


class ReferralStatusChange(models.Model):
    """One step in a referral's life: the new status, the day it happened, and who said so
    (a member of staff, or the organisation through its feedback link)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    on = models.DateField(validators=[validate_plausible_date])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by_organisation = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by__isnull=False) | Q(by_organisation=True),
                name="referralstatuschange_has_author",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status} on {self.on}"

    @property
    def who(self) -> str:
        if self.by_organisation or self.by is None:
            return "the organisation"
        return self.by.display_name
