"""Registering a participant and editing their details, through the views a CLP uses."""

import random
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import Action, AuditEvent
from participants.chi import make_chi
from participants.models import Need, Participant, ParticipantNeed
from participants.services import participant_update
from participants.views.register import ELSEWHERE
from tests.factories import clp_at

DOB = date(1980, 5, 17)
REGISTER = reverse("participants:register")


def _chi(dob=DOB, sex="female", seed=1):
    return make_chi(date_of_birth=dob, sex=sex, rng=random.Random(seed))


def _registration(practice, clp, **overrides):
    data = {
        "practice": practice.pk,
        "clp": clp.pk,
        "chi": _chi(),
        "first_name": "Morag",
        "last_name": "MacLeod",
        "date_of_birth": DOB.isoformat(),
        "sex": "female",
        "postcode": "g21 1aa",
        "address": "1 High Street",
        "phone": "",
        "email": "",
        "preferred_contact": "phone",
        "consent_given": "on",
        "consent_on": "2024-03-01",
        "referred_on": "2024-03-01",
        "referred_by": "gp",
        "referral_reason": "Isolated since her husband died",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response, field):
    return response.context["form"].errors.get(field, [])


def _html(response):
    return response.content.decode()


# Registering


def test_a_clp_registers_a_participant_and_is_taken_to_their_record(as_user, clp_a, practice_a):
    money = Need.objects.get(name="Money and debt")
    stress = Need.objects.get(name="Stress")
    response = as_user(clp_a).post(
        REGISTER, _registration(practice_a, clp_a, needs=[money.pk, stress.pk])
    )

    participant = Participant.objects.get(chi=_chi())
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[participant.ref])
    assert re.fullmatch(r"P[0-9]+", participant.ref)
    assert participant.practice == practice_a
    assert participant.clp == clp_a
    assert participant.date_of_birth == DOB
    assert participant.postcode == "G21 1AA"
    assert participant.version == 1
    assert set(participant.needs.values_list("need__name", flat=True)) == {
        "Money and debt",
        "Stress",
    }
    assert set(participant.needs.values_list("identified_on", flat=True)) == {date(2024, 3, 1)}
    assert set(participant.needs.values_list("recorded_by", flat=True)) == {clp_a.pk}


def test_registering_is_audited_with_the_new_reference(as_user, clp_a, practice_a):
    as_user(clp_a).post(REGISTER, _registration(practice_a, clp_a))

    participant = Participant.objects.get(chi=_chi())
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="participant")
    assert event.participant_ref == participant.ref
    assert event.object_id == str(participant.pk)
    assert event.user == clp_a


def test_a_chi_typed_with_spaces_is_stored_as_ten_digits(as_user, clp_a, practice_a):
    chi = _chi()
    spaced = f"{chi[:6]} {chi[6:]}"
    response = as_user(clp_a).post(REGISTER, _registration(practice_a, clp_a, chi=spaced))

    assert response.status_code == 302
    assert Participant.objects.filter(chi=chi).exists()


def test_the_register_page_offers_the_clp_their_practice_and_themselves(
    as_user, clp_a, practice_a, practice_b
):
    response = as_user(clp_a).get(REGISTER)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["practice"].queryset) == [practice_a]
    assert form["practice"].value() == practice_a.pk
    assert form["clp"].value() == clp_a.pk
    assert practice_b.name not in _html(response)


def _wrong_check_digit(chi):
    return chi[:9] + str((int(chi[9]) + 1) % 10)


@pytest.mark.parametrize(
    ("chi", "sex", "message"),
    [
        pytest.param(
            _wrong_check_digit(_chi()),
            "female",
            "The last digit of this CHI number is not a valid check digit: "
            "check for a mistyped digit.",
            id="bad-check-digit",
        ),
        pytest.param(
            _chi(dob=date(1980, 5, 18)),
            "female",
            "The CHI number's date (180580) does not match the date of birth 17/05/1980.",
            id="date-mismatch",
        ),
        pytest.param(
            _chi(sex="female"),
            "male",
            "The ninth digit of a CHI number is odd for males; this one is even.",
            id="sex-mismatch",
        ),
        pytest.param(
            "123456789",
            "female",
            "A CHI number is exactly 10 digits (spaces are ignored).",
            id="too-short",
        ),
        pytest.param(
            "12345678901",
            "female",
            "A CHI number is exactly 10 digits (spaces are ignored).",
            id="too-long",
        ),
    ],
)
def test_a_wrong_chi_number_is_refused_with_its_message_keeping_what_was_typed(
    as_user, clp_a, practice_a, chi, sex, message
):
    response = as_user(clp_a).post(
        REGISTER, _registration(practice_a, clp_a, chi=chi, sex=sex, first_name="Morag")
    )

    assert response.status_code == 200
    assert _errors(response, "chi") == [message]
    html = _html(response)
    assert escape(message) in html
    assert f'value="{chi}"' in html
    assert 'value="Morag"' in html
    assert not Participant.objects.exists()
    assert not ParticipantNeed.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_an_invalid_postcode_is_refused_and_nothing_is_saved(as_user, clp_a, practice_a):
    response = as_user(clp_a).post(REGISTER, _registration(practice_a, clp_a, postcode="G21 ZZZ9"))

    assert response.status_code == 200
    assert _errors(response, "postcode") == ["Enter a valid UK postcode, such as G21 1AA."]
    assert 'value="G21 ZZZ9"' in _html(response)
    assert not Participant.objects.exists()


def test_consent_ticked_without_a_date_is_refused(as_user, clp_a, practice_a):
    response = as_user(clp_a).post(
        REGISTER, _registration(practice_a, clp_a, consent_given="on", consent_on="")
    )

    assert response.status_code == 200
    assert _errors(response, "consent_on") == ["Give the date consent was recorded."]
    assert not Participant.objects.exists()


def test_no_consent_needs_no_date(as_user, clp_a, practice_a):
    response = as_user(clp_a).post(
        REGISTER, _registration(practice_a, clp_a, consent_given=None, consent_on="")
    )

    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.consent_given is False
    assert participant.consent_on is None


def test_a_date_of_birth_in_the_future_is_refused(as_user, clp_a, practice_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_user(clp_a).post(
        REGISTER,
        _registration(
            practice_a,
            clp_a,
            date_of_birth=tomorrow.isoformat(),
            chi=_chi(dob=tomorrow),
            referred_on=(tomorrow + timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 200
    assert _errors(response, "date_of_birth") == ["The date of birth cannot be in the future."]
    assert not Participant.objects.exists()


def test_a_clp_cannot_register_at_a_practice_where_they_are_not_a_clp(as_user, clp_a, practice_b):
    response = as_user(clp_a).post(REGISTER, _registration(practice_b, clp_a))

    assert response.status_code == 200
    assert _errors(response, "practice") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Participant.objects.exists()


def test_the_assigned_clp_must_be_offered_from_the_clps_own_practices(
    as_user, clp_a, clp_b, practice_a
):
    response = as_user(clp_a).post(REGISTER, _registration(practice_a, clp_b))

    assert response.status_code == 200
    assert _errors(response, "clp") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Participant.objects.exists()


def test_the_assigned_clp_must_be_a_clp_at_the_chosen_practice(
    as_user, practice_a, practice_b, clp_b
):
    # A CLP working at both practices is offered both practices' CLPs; Ben works only at B.
    both = clp_at(practice_a, practice_b, username="clp_ab", full_name="Cara Both")
    response = as_user(both).post(REGISTER, _registration(practice_a, clp_b))

    assert response.status_code == 200
    assert _errors(response, "clp") == ["Ben B is not a CLP at Calder Street Practice."]
    assert not Participant.objects.exists()


def test_a_clp_may_assign_a_colleague_at_the_same_practice(as_user, clp_a, practice_a):
    colleague = clp_at(practice_a, username="clp_a2", full_name="Aileen A")
    response = as_user(clp_a).post(REGISTER, _registration(practice_a, colleague))

    assert response.status_code == 302
    assert Participant.objects.get().clp == colleague


def test_a_colleague_whose_attachment_has_ended_cannot_be_assigned(as_user, clp_a, practice_a):
    from practices.models import Attachment

    former = clp_at(practice_a, username="former", full_name="Fiona Former")
    Attachment.objects.filter(user=former).update(ended_on=date(2023, 12, 31))

    response = as_user(clp_a).post(REGISTER, _registration(practice_a, former))

    assert response.status_code == 200
    assert _errors(response, "clp")
    assert not Participant.objects.exists()


def test_registering_a_chi_already_in_the_clps_caseload_opens_the_existing_record(
    as_user, clp_a, practice_a, participant_a
):
    before = Participant.objects.count()
    data = _registration(
        practice_a,
        clp_a,
        chi=participant_a.chi,
        date_of_birth=participant_a.date_of_birth.isoformat(),
        sex=participant_a.sex,
        first_name="Someone",
        needs=[Need.objects.get(name="Housing").pk],
    )
    response = as_user(clp_a).post(REGISTER, data, follow=True)

    assert response.redirect_chain == [
        (reverse("participants:detail", args=[participant_a.ref]), 302)
    ]
    assert "already has this CHI number" in _html(response)
    assert Participant.objects.count() == before
    assert not ParticipantNeed.objects.exists()
    participant_a.refresh_from_db()
    assert participant_a.first_name == "Alice"
    assert not AuditEvent.objects.filter(action=Action.CREATE, object_type="participant").exists()


def test_registering_a_chi_known_at_another_practice_says_so_without_naming_them(
    as_user, clp_a, practice_a, participant_b
):
    before = Participant.objects.count()
    data = _registration(
        practice_a,
        clp_a,
        chi=participant_b.chi,
        date_of_birth=participant_b.date_of_birth.isoformat(),
        sex=participant_b.sex,
    )
    response = as_user(clp_a).post(REGISTER, data)

    assert response.status_code == 200
    assert _errors(response, "chi") == [ELSEWHERE]
    assert "A CLP or the practice manager of that practice can transfer" in ELSEWHERE
    html = _html(response)
    for secret in ("Riverside", participant_b.ref, "Bella", "Brown", participant_b.clp.full_name):
        assert secret not in html
    assert Participant.objects.count() == before


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_only_clps_may_open_the_register_page(as_user, request, practice_a, who):
    user = request.getfixturevalue(who)
    c = as_user(user)
    assert c.get(REGISTER).status_code == 403
    assert c.post(REGISTER, _registration(practice_a, user)).status_code == 403
    assert not Participant.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, clp_a, practice_a):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")

    response = client.post(REGISTER, _registration(practice_a, clp_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Participant.objects.exists()


def test_markup_typed_into_the_record_is_shown_escaped_on_the_detail_page(
    as_user, clp_a, practice_a
):
    name = "<script>alert(1)</script>"
    reason = '<img src=x onerror="alert(2)">'
    c = as_user(clp_a)
    c.post(REGISTER, _registration(practice_a, clp_a, first_name=name, referral_reason=reason))
    participant = Participant.objects.get()
    assert participant.first_name == name

    html = _html(c.get(reverse("participants:detail", args=[participant.ref])))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert name not in html
    assert escape(reason) in html
    assert reason not in html


# Editing


def _edit_data(participant, **overrides):
    data = {
        "practice": participant.practice_id,
        "clp": participant.clp_id,
        "chi": participant.chi,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "date_of_birth": participant.date_of_birth.isoformat(),
        "sex": participant.sex,
        "postcode": participant.postcode,
        "address": participant.address,
        "phone": participant.phone,
        "email": participant.email,
        "preferred_contact": participant.preferred_contact,
        "consent_on": participant.consent_on.isoformat() if participant.consent_on else "",
        "referred_on": participant.referred_on.isoformat(),
        "referred_by": participant.referred_by,
        "referral_reason": participant.referral_reason,
        "version": participant.version,
    }
    if participant.consent_given:
        data["consent_given"] = "on"
    data.update(overrides)
    return data


def _edit_url(participant):
    return reverse("participants:edit", args=[participant.ref])


def test_a_clp_edits_a_participant_and_the_version_goes_up(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _edit_url(participant_a), _edit_data(participant_a, last_name="Anderson-Smith")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[participant_a.ref])
    participant_a.refresh_from_db()
    assert participant_a.last_name == "Anderson-Smith"
    assert participant_a.version == 2
    event = AuditEvent.objects.get(action=Action.UPDATE, participant_ref=participant_a.ref)
    assert event.detail == "last_name"


def test_the_edit_form_carries_the_version_it_was_opened_at(as_user, clp_a, participant_a):
    Participant.objects.filter(pk=participant_a.pk).update(version=7)
    response = as_user(clp_a).get(_edit_url(participant_a))

    assert response.status_code == 200
    assert response.context["form"]["version"].value() == 7
    assert re.search(r'name="version" value="7"', _html(response))


def test_saving_over_someone_elses_change_is_refused_and_keeps_both(
    as_user, clp_a, practice_a, participant_a
):
    c = as_user(clp_a)
    opened_at = c.get(_edit_url(participant_a)).context["form"]["version"].value()
    assert opened_at == 1

    # A colleague saves the record while the form is open.
    colleague = clp_at(practice_a, username="clp_a2")
    theirs = Participant.objects.get(pk=participant_a.pk)
    theirs.phone = "0141 555 0100"
    participant_update(user=colleague, participant=theirs, changed=["phone"], version=1)

    response = c.post(
        _edit_url(participant_a),
        _edit_data(participant_a, last_name="Anderson-Smith", version=opened_at),
    )

    assert response.status_code == 200
    html = _html(response)
    assert "Someone else saved this record" in html
    assert response.context["form"]["last_name"].value() == "Anderson-Smith"
    assert 'value="Anderson-Smith"' in html
    participant_a.refresh_from_db()
    assert participant_a.phone == "0141 555 0100"
    assert participant_a.last_name == "Anderson"
    assert participant_a.version == 2


def test_a_stale_version_is_refused_when_the_database_has_moved_on(as_user, clp_a, participant_a):
    Participant.objects.filter(pk=participant_a.pk).update(version=5, first_name="Alicia")

    response = as_user(clp_a).post(
        _edit_url(participant_a), _edit_data(participant_a, last_name="Changed", version=4)
    )

    assert response.status_code == 200
    assert "Someone else saved this record" in _html(response)
    participant_a.refresh_from_db()
    assert (participant_a.first_name, participant_a.last_name) == ("Alicia", "Anderson")
    assert participant_a.version == 5
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_clp_of_practice_b_cannot_open_or_edit_a_practice_a_record(as_user, clp_b, participant_a):
    c = as_user(clp_b)
    assert c.get(_edit_url(participant_a)).status_code == 404
    response = c.post(_edit_url(participant_a), _edit_data(participant_a, last_name="Hacked"))
    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    participant_a.refresh_from_db()
    assert participant_a.last_name == "Anderson"
    assert participant_a.version == 1


def test_a_practice_manager_cannot_edit_their_practices_participant(
    as_user, manager_a, participant_a
):
    c = as_user(manager_a)
    assert c.get(_edit_url(participant_a)).status_code == 403
    response = c.post(_edit_url(participant_a), _edit_data(participant_a, last_name="Changed"))
    assert response.status_code == 403
    participant_a.refresh_from_db()
    assert participant_a.last_name == "Anderson"
    assert participant_a.version == 1


def test_changing_the_chi_to_one_already_registered_is_refused(
    as_user, clp_a, participant_a, participant_b
):
    response = as_user(clp_a).post(
        _edit_url(participant_a),
        _edit_data(
            participant_a,
            chi=participant_b.chi,
            date_of_birth=participant_b.date_of_birth.isoformat(),
        ),
    )

    assert response.status_code == 200
    assert _errors(response, "chi")
    assert "Bella" not in _html(response)
    participant_a.refresh_from_db()
    assert participant_a.chi != participant_b.chi


def test_a_person_is_registered_with_consent_not_recorded(as_user, clp_a, practice_a):
    c = as_user(clp_a)
    response = c.post(
        REGISTER, _registration(practice_a, clp_a, consent_given=None, consent_on=""), follow=True
    )
    body = _html(response)
    assert "Morag MacLeod" in body
    assert "Not recorded" in body
