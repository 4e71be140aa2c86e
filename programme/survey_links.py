"""The link each practice's staff answer a survey round through: signed, naming only the
round and the practice. It works while the round is open and stops when the round closes
(by the lead, or at its closing date); nothing in it or behind it identifies who answers."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from practices.models import Practice, StaffSurveyRound

SALT = "programme.survey_links"


def survey_token(survey_round: StaffSurveyRound, practice: Practice) -> str:
    return signing.dumps({"r": survey_round.pk, "p": practice.pk}, salt=SALT, compress=True)


def survey_url(survey_round: StaffSurveyRound, practice: Practice) -> str:
    path = reverse("survey:answer", kwargs={"token": survey_token(survey_round, practice)})
    return settings.LINKS_BASE_URL.rstrip("/") + path


def survey_from_token(token: str) -> tuple[StaffSurveyRound, Practice] | None:
    """The open round and practice a link names; None for a forged, unknown or closed one."""
    try:
        data = signing.loads(token, salt=SALT)
        survey_round = StaffSurveyRound.objects.get(pk=int(data["r"]))
        practice = Practice.objects.in_programme().get(pk=int(data["p"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    except (StaffSurveyRound.DoesNotExist, Practice.DoesNotExist):
        return None
    if not survey_round.is_open():
        return None
    return survey_round, practice
