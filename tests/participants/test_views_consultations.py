"""Logging a consultation, and who sees its notes and goals."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import Consultation, ConsultationMode, Need, ParticipantNeed
from tests.factories import ConsultationFactory


def _url(participant):
    return reverse("participants:log_consultation", args=[participant.ref])


def _need(name):
    return Need.objects.get(name=name)


def _give_need(participant, name, *, on=date(2024, 1, 15), resolved_on=None):
    return ParticipantNeed.objects.create(
        participant=participant,
        need=_need(name),
        identified_on=on,
        resolved_on=resolved_on,
        recorded_by=participant.clp,
    )


def _consultation(**overrides):
    data = {
        "date": "2024-03-04",
        "attended": "yes",
        "mode": "home",
        "duration_minutes": "45",
        "goals": "Phone the council about the repair",
        "goal_progress": "some",
        "notes": "Talked about the damp flat",
        "next_contact_on": "",
    }
    data.update(overrides)
    return data


def _checked_radio(html, name):
    """The value of the radio button of `name` that is checked, from the rendered page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


# The form's defaults


def test_the_form_starts_at_today_with_thirty_minutes(as_user, clp_a, participant_a):
    response = as_user(clp_a).get(_url(participant_a))

    assert response.status_code == 200
    html = response.content.decode()
    today = timezone.localdate().isoformat()
    assert re.search(rf'<input[^>]*name="date"[^>]*value="{today}"', html)
    assert re.search(r'<input[^>]*name="duration_minutes"[^>]*value="30"', html)
    assert _checked_radio(html, "attended") == "yes"


def test_the_form_preselects_the_mode_of_the_clps_latest_consultation(
    as_user, clp_a, participant_a, practice_a
):
    # participant_a's fixture consultation is at the practice on 1 Feb 2024.
    ConsultationFactory(participant=participant_a, date=date(2024, 3, 1), mode="telephone")
    ConsultationFactory(participant=participant_a, date=date(2024, 2, 15), mode="video")

    html = as_user(clp_a).get(_url(participant_a)).content.decode()

    assert _checked_radio(html, "mode") == "telephone"


def test_the_usual_mode_is_the_clps_own_not_a_colleagues(
    as_user, clp_a, clp_b, participant_a, participant_b
):
    ConsultationFactory(participant=participant_a, date=date(2024, 3, 1), mode="home")
    # Ben's later video call must not change Anna's default.
    ConsultationFactory(participant=participant_b, date=date(2024, 3, 9), mode="video")

    html = as_user(clp_a).get(_url(participant_a)).content.decode()

    assert _checked_radio(html, "mode") == "home"


def test_a_clp_with_no_consultations_starts_at_the_practice(as_user, practice_a, clp_a):
    from tests.factories import ParticipantFactory

    participant = ParticipantFactory(practice=practice_a, clp=clp_a)
    html = as_user(clp_a).get(_url(participant)).content.decode()

    assert _checked_radio(html, "mode") == ConsultationMode.PRACTICE


def test_only_the_participants_current_needs_are_offered(as_user, clp_a, participant_a):
    _give_need(participant_a, "Housing")
    _give_need(participant_a, "Stress", resolved_on=date(2024, 2, 1))

    form = as_user(clp_a).get(_url(participant_a)).context["form"]

    assert [n.name for n in form.fields["needs_discussed"].queryset] == ["Housing"]


# Logging


def test_a_clp_logs_a_consultation_with_the_needs_discussed(as_user, clp_a, participant_a):
    housing = _give_need(participant_a, "Housing")
    _give_need(participant_a, "Money and debt")

    response = as_user(clp_a).post(
        _url(participant_a), _consultation(needs_discussed=[housing.need_id])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[participant_a.ref])
    logged = participant_a.consultations.get(date=date(2024, 3, 4))
    assert logged.clp == clp_a
    assert logged.mode == "home"
    assert logged.duration_minutes == 45
    assert logged.attended is True
    assert logged.goal_progress == "some"
    assert [n.name for n in logged.needs_discussed.all()] == ["Housing"]
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="consultation")
    assert event.participant_ref == participant_a.ref


@pytest.mark.parametrize(
    "need_state", ["resolved", "never_recorded"], ids=["a-resolved-need", "a-need-they-never-had"]
)
def test_needs_discussed_are_limited_to_the_participants_current_needs(
    as_user, clp_a, participant_a, need_state
):
    _give_need(participant_a, "Housing")
    if need_state == "resolved":
        _give_need(participant_a, "Stress", resolved_on=date(2024, 2, 1))
    before = Consultation.objects.count()

    response = as_user(clp_a).post(
        _url(participant_a), _consultation(needs_discussed=[_need("Stress").pk])
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["needs_discussed"]
    assert errors[0].startswith("Select a valid choice.")
    assert Consultation.objects.count() == before


def test_a_did_not_attend_is_stored_with_no_duration(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _url(participant_a), _consultation(attended="no", duration_minutes="45")
    )

    assert response.status_code == 302
    logged = participant_a.consultations.get(date=date(2024, 3, 4))
    assert logged.attended is False
    assert logged.duration_minutes == 0


def test_a_did_not_attend_needs_no_length(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _url(participant_a), _consultation(attended="no", duration_minutes="")
    )

    assert response.status_code == 302
    assert participant_a.consultations.get(date=date(2024, 3, 4)).duration_minutes == 0


def test_a_consultation_longer_than_eight_hours_is_refused(as_user, clp_a, participant_a):
    before = Consultation.objects.count()
    response = as_user(clp_a).post(_url(participant_a), _consultation(duration_minutes="481"))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Consultation.objects.count() == before


def test_a_consultation_longer_than_eight_hours_is_explained_next_to_the_length(
    as_user, clp_a, participant_a
):
    response = as_user(clp_a).post(_url(participant_a), _consultation(duration_minutes="481"))

    assert response.context["form"].errors.get("duration_minutes")
    assert "consultation_duration_range" not in response.content.decode()


def test_an_attended_consultation_needs_a_length(as_user, clp_a, participant_a):
    before = Consultation.objects.count()
    response = as_user(clp_a).post(_url(participant_a), _consultation(duration_minutes=""))

    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"] == [
        "Give the length of the consultation in minutes."
    ]
    assert Consultation.objects.count() == before


def test_a_consultation_before_the_referral_is_refused(as_user, clp_a, participant_a):
    # participant_a was referred on 15 Jan 2024.
    before = Consultation.objects.count()
    response = as_user(clp_a).post(_url(participant_a), _consultation(date="2024-01-14"))

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The consultation is before the referral date."
    ]
    assert "The consultation is before the referral date." in response.content.decode()
    assert Consultation.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="consultation").exists()


def test_a_consultation_on_the_referral_date_is_accepted(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(_url(participant_a), _consultation(date="2024-01-15"))

    assert response.status_code == 302
    assert participant_a.consultations.filter(date=date(2024, 1, 15)).exists()


def test_a_consultation_in_the_future_is_refused(as_user, clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = Consultation.objects.count()
    response = as_user(clp_a).post(_url(participant_a), _consultation(date=tomorrow.isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The consultation date cannot be in the future."
    ]
    assert Consultation.objects.count() == before


def test_a_next_contact_before_the_consultation_is_refused(as_user, clp_a, participant_a):
    before = Consultation.objects.count()
    response = as_user(clp_a).post(
        _url(participant_a), _consultation(date="2024-03-04", next_contact_on="2024-03-03")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["next_contact_on"] == [
        "The next contact is before this consultation."
    ]
    assert Consultation.objects.count() == before
    participant_a.refresh_from_db()
    assert participant_a.next_contact_on is None


def test_the_next_contact_is_stored_on_the_participant(as_user, clp_a, participant_a):
    c = as_user(clp_a)
    response = c.post(
        _url(participant_a), _consultation(date="2024-03-04", next_contact_on="2024-03-18")
    )

    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.next_contact_on == date(2024, 3, 18)
    detail = c.get(reverse("participants:detail", args=[participant_a.ref]))
    assert "18 Mar 2024" in detail.content.decode()


def test_leaving_next_contact_blank_keeps_the_one_already_set(as_user, clp_a, participant_a):
    participant_a.next_contact_on = date(2024, 4, 1)
    participant_a.save()

    as_user(clp_a).post(_url(participant_a), _consultation(next_contact_on=""))

    participant_a.refresh_from_db()
    assert participant_a.next_contact_on == date(2024, 4, 1)


# Who may log


def test_a_clp_of_practice_b_cannot_log_a_consultation_for_practice_a(
    as_user, clp_b, participant_a
):
    before = Consultation.objects.count()
    c = as_user(clp_b)

    assert c.get(_url(participant_a)).status_code == 404
    response = c.post(_url(participant_a), _consultation())
    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    assert Consultation.objects.count() == before


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_managers_and_programme_leads_cannot_log_consultations(
    as_user, request, participant_a, who
):
    before = Consultation.objects.count()
    c = as_user(request.getfixturevalue(who))

    assert c.get(_url(participant_a)).status_code == 403
    assert c.post(_url(participant_a), _consultation()).status_code == 403
    assert Consultation.objects.count() == before


def test_an_unknown_reference_is_a_404(as_user, clp_a, participant_a):
    assert as_user(clp_a).get(_url(participant_a).replace("P1001", "P9999")).status_code == 404


# Notes and goals on the participant page


def test_the_clp_sees_notes_and_goals_on_the_participant_page(as_user, clp_a, participant_a):
    as_user(clp_a).post(_url(participant_a), _consultation())

    html = as_user(clp_a).get(reverse("participants:detail", args=[participant_a.ref]))
    html = html.content.decode()

    assert "Alice private note" in html
    assert "Talked about the damp flat" in html
    assert "Phone the council about the repair" in html
    assert "Some progress" in html
    assert participant_a.referral_reason in html


def test_the_practice_manager_sees_the_consultation_but_not_its_notes_or_goals(
    as_user, clp_a, manager_a, participant_a
):
    as_user(clp_a).post(_url(participant_a), _consultation())

    response = as_user(manager_a).get(reverse("participants:detail", args=[participant_a.ref]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Home visit · 45 min" in html
    assert "Alice private note" not in html
    assert "Talked about the damp flat" not in html
    assert "Phone the council about the repair" not in html
    assert "Contact money advice" not in html
    assert participant_a.referral_reason not in html
    assert reverse("participants:log_consultation", args=[participant_a.ref]) not in html
