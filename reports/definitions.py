"""Every programme figure, defined once: the conditions the queries count with, the one
percentage helper, and the plain words the report's appendix prints for each.

The referral statistics page sits below `reports`, so the referral figures themselves live
in `referrals.figures` and are gathered here; the dashboards' running counts are kept by
triggers whose SQL a test checks against `engaged_sql` (reports migration 0003).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from participants.models import Consultation
from referrals.figures import (
    ENGAGED_LABEL,
    ENGAGED_STATUSES,
    REACHED_ENGAGED_LABEL,
    engaged,
    engaged_sql,
    pct,
    reached_engaged,
)

__all__ = [
    "ABNORMAL",
    "DEFINITIONS",
    "ENGAGED_LABEL",
    "ENGAGED_STATUSES",
    "MULTI_DOMAIN",
    "REACHED_ENGAGED_LABEL",
    "TRIAL_DOSE_THRESHOLD",
    "attended",
    "contacts",
    "engaged",
    "engaged_sql",
    "pct",
    "reached_engaged",
    "seen_at_least",
]

ABNORMAL = 11  # a HADS subscale of 11-21 is in the abnormal band
MULTI_DOMAIN = 2  # needs spanning at least this many domains
TRIAL_DOSE_THRESHOLD = 3  # the evaluation (Mercer et al. 2019) found the benefit at 3+


def attended() -> Q:
    """Contact with a CLP is an attended consultation; a did-not-attend is not."""
    return Q(attended=True)


def contacts(*, until: date) -> QuerySet[Consultation]:
    """Every contact up to a day: the supported are those with one in the period, and
    their dose is how many they had."""
    return Consultation.objects.filter(attended(), date__lte=until)


def seen_at_least(threshold: int, *, dose: str = "dose") -> Q:
    """Saw a CLP `threshold` times or more (the dose setting; the trial's is 3)."""
    return Q(**{f"{dose}__gte": threshold})


# (name, words): the report's appendix prints these; {threshold} is the dose setting.
DEFINITIONS: list[tuple[str, str]] = [
    (
        "People supported",
        "Distinct participants with at least one attended consultation in the period. New "
        "participants: referred into the programme in the period.",
    ),
    (
        "Most deprived quintile",
        "Of the people supported whose SIMD quintile is known (from their postcode and the "
        "published SIMD postcode lookup), the share in quintile 1, Scotland's most deprived "
        "fifth of data zones. Those with no known quintile are counted separately.",
    ),
    (
        "Multiple domains",
        "Of the people supported, the share whose needs recorded by the end of the period "
        "span two or more of the domains physical health, mental health and social.",
    ),
    (
        "Consultations",
        "Attended and did-not-attend consultations dated in the period. “Saw a CLP "
        "{threshold} times or more”: of the people supported, the share with at least "
        "{threshold} attended consultations up to the period's end (the threshold is a "
        "programme setting; the evaluation found the benefit at 3 or more).",
    ),
    (
        "Referrals and engagement",
        "Referrals to community resources made in the period. Engaged means the referral's "
        "latest status is attended or engaged; the referral statistics page and the "
        "dashboards use the same definition. (The referral statistics page also shows "
        "“reached engaged”: referrals that got as far as engaged at any time, even if "
        "closed later.) Appropriate: of the referrals with the organisation's feedback, the "
        "share it judged appropriate.",
    ),
    (
        "Participant flow",
        "Referred: new participants referred in the period. Supported: as above. Baseline "
        "recorded: baseline assessments dated in the period. Follow-ups due: nine-month "
        "follow-ups whose due date falls in the period, by their status now (completed, "
        "missed, declined, not applicable, or still open).",
    ),
    (
        "Nine-month outcomes",
        "Participants whose follow-up assessment falls in the period and who have a baseline "
        "assessment; a measure counts only when both assessments are complete for it. Change "
        "is follow-up minus baseline, with a paired 95 % confidence interval from the t "
        "distribution (none for fewer than two people); SD of change is its sample standard "
        "deviation and the effect size is the mean change divided by it. HADS subscales run "
        "0–21: 0–7 normal, 8–10 borderline, 11–21 abnormal. By dose: attended consultations "
        "from the baseline's date to the follow-up's, both included, at least {threshold} "
        "versus fewer. By engagement: at least one referral made on or before the follow-up's "
        "date whose latest status is attended or engaged, versus none.",
    ),
    (
        "Measures",
        "WEMWBS: the 14 items (1–5) summed, 14–70. SWEMWBS: items 1, 2, 3, 6, 7, 9 and 11 of "
        "WEMWBS summed (7–35) and converted to the metric score with Warwick's Rasch "
        "conversion table. EQ-5D-5L index: the five dimensions valued with the England value "
        "set (Devlin et al. 2018), from −0.285 to 1; EQ VAS: health today, 0–100. ONS4: "
        "the four personal well-being questions, 0–10, with the ONS bands (life "
        "satisfaction, worthwhile, happy: low 0–4, medium 5–6, high 7–8, very high 9–10; "
        "anxious: very low 0–1, low 2–3, medium 4–5, high 6–10).",
    ),
    (
        "Adjusted analysis",
        "As in the programme's evaluation (Mercer et al., Annals of Family Medicine 2019): a "
        "linear mixed model (restricted maximum likelihood, REML, as statsmodels' MixedLM "
        "fits it) of the follow-up score on the "
        "baseline score, dose (1 when attended consultations from baseline to follow-up reach "
        "{threshold}), engaged, age in whole years at baseline, male, and most deprived (SIMD "
        "quintile 1 versus 2–5; unknown quintile excluded), with a random intercept for each "
        "practice; 95 % intervals and p-values from the normal distribution. Not fitted with "
        "fewer than 30 people or 3 practices.",
    ),
    (
        "Practices and CLPs",
        "Active at any time in the period; new if they joined the programme (practices) or "
        "were first attached as a CLP (CLPs) in it.",
    ),
    ("Staff survey", "Anonymous responses for the year, overall and by practice."),
]
