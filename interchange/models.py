from django.core.validators import RegexValidator
from django.db import models


class CodedEvent(models.TextChoices):
    """Events a GP record should carry, and the outcome scores sent with them. An event with
    no code in the table is exported uncoded, with its text."""

    PROGRAMME_REFERRAL = "programme_referral", "Referred into the programme"
    DECLINED = "declined", "Declined the programme"
    COMMUNITY_REFERRAL = "community_referral", "Referred to a community resource"
    DISCHARGED = "discharged", "Discharged from the programme"
    HADS_ANXIETY = "hads_anxiety", "HADS anxiety score"
    HADS_DEPRESSION = "hads_depression", "HADS depression score"
    EXERCISE_DAYS = "exercise_days", "Days a week with 30 minutes of moderate activity"
    WEMWBS_TOTAL = "wemwbs_total", "WEMWBS total score"
    EQ5D_VAS = "eq5d_vas", "EQ-5D-5L visual analogue scale"
    ONS_LIFE_SATISFACTION = "ons_life_satisfaction", "ONS4 life satisfaction"
    ONS_ANXIETY = "ons_anxiety", "ONS4 anxiety"


class SnomedCode(models.Model):
    """A SNOMED CT concept for one event, from published material. Administrators add codes
    here as the standard publishes them; the source says where each came from."""

    code = models.CharField(
        "SNOMED CT concept id",
        max_length=18,
        unique=True,
        validators=[
            RegexValidator(r"^[1-9][0-9]{5,17}$", "A SNOMED CT concept id is 6 to 18 digits.")
        ],
    )
    preferred_term = models.CharField(max_length=255)
    event = models.CharField(max_length=30, choices=CodedEvent.choices, unique=True)
    source = models.CharField(
        max_length=500, help_text="Where the code is published (a document or its address)."
    )

    class Meta:
        ordering = ["event"]
        verbose_name = "SNOMED CT code"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]{5,17}$"),
                name="snomedcode_concept_id_digits",
                violation_error_message="A SNOMED CT concept id is 6 to 18 digits.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.preferred_term}"
