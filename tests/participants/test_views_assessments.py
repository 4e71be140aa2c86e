"""Recording outcome measures: scores are computed from the items, never typed in."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audit.models import Action, AuditEvent
from participants.models import HADS_ITEMS, Assessment, Timepoint

# Items 1..14; odd items (anxiety) sum to 3+2+1+0+2+1+3 = 12, even items (depression)
# to 0+1+2+3+2+0+1 = 9.
ITEMS = [3, 0, 2, 1, 1, 2, 0, 3, 2, 2, 1, 0, 3, 1]
ANXIETY, DEPRESSION = 12, 9


def _new_url(participant):
    return reverse("participants:new_assessment", args=[participant.ref])


def _edit_url(participant, assessment):
    return reverse("participants:edit_assessment", args=[participant.ref, assessment.pk])


def _hads(items):
    return {name: "" if v is None else str(v) for name, v in zip(HADS_ITEMS, items, strict=True)}


def _assessment(timepoint="baseline", on="2024-02-01", items=ITEMS, **overrides):
    data = {"timepoint": timepoint, "date": on, **_hads(items), "exercise_days": "2"}
    data.update(overrides)
    return data


def _recorded(participant, timepoint, on, items, recorded_by):
    from participants.measures import apply_scores

    assessment = Assessment(
        participant=participant,
        timepoint=timepoint,
        date=on,
        recorded_by=recorded_by,
        **dict(zip(HADS_ITEMS, items, strict=True)),
    )
    apply_scores(assessment)
    assessment.save()
    return assessment


def _row(html, label):
    """One row of the outcomes table as its cells' text: measure, baseline, follow-up, change."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if label in row:
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            return [" ".join(strip_tags(re.sub(r"<", " <", c)).split()) for c in cells]
    return None


# Scoring


def test_a_complete_hads_stores_anxiety_from_odd_items_and_depression_from_even(
    as_user, clp_a, participant_a
):
    response = as_user(clp_a).post(_new_url(participant_a), _assessment())

    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[participant_a.ref])
    saved = participant_a.assessments.get()
    assert saved.timepoint == Timepoint.BASELINE
    assert saved.date == date(2024, 2, 1)
    assert saved.recorded_by == clp_a
    assert [getattr(saved, n) for n in HADS_ITEMS] == ITEMS
    assert (saved.hads_anxiety, saved.hads_depression) == (ANXIETY, DEPRESSION)
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="assessment")
    assert (event.participant_ref, event.detail) == (participant_a.ref, "baseline")


def test_an_unanswered_anxiety_item_leaves_only_anxiety_unscored(as_user, clp_a, participant_a):
    items = list(ITEMS)
    items[2] = None  # item 3, an anxiety item

    response = as_user(clp_a).post(_new_url(participant_a), _assessment(items=items))

    assert response.status_code == 302
    saved = participant_a.assessments.get()
    assert saved.hads_3 is None
    assert saved.hads_anxiety is None
    assert saved.hads_depression == DEPRESSION


def test_an_unanswered_depression_item_leaves_only_depression_unscored(
    as_user, clp_a, participant_a
):
    items = list(ITEMS)
    items[13] = None  # item 14, a depression item

    as_user(clp_a).post(_new_url(participant_a), _assessment(items=items))

    saved = participant_a.assessments.get()
    assert (saved.hads_anxiety, saved.hads_depression) == (ANXIETY, None)


def test_an_item_score_of_4_is_refused_next_to_the_item(as_user, clp_a, participant_a):
    items = list(ITEMS)
    items[4] = 4  # item 5

    response = as_user(clp_a).post(_new_url(participant_a), _assessment(items=items))

    assert response.status_code == 200
    message = "Ensure this value is less than or equal to 3."
    assert response.context["form"].errors["hads_5"] == [message]
    html = response.content.decode()
    assert re.search(
        rf'<div class="invalid-feedback" id="id_hads_5-error">{re.escape(message)}</div>', html
    )
    assert 'aria-describedby="id_hads_5-error"' in html
    assert not Assessment.objects.exists()


def test_a_hand_posted_score_is_ignored(as_user, clp_a, participant_a):
    items = list(ITEMS)
    items[0] = None
    response = as_user(clp_a).post(
        _new_url(participant_a),
        _assessment(items=items, hads_anxiety="21", hads_depression="0", wemwbs_total="70"),
    )

    assert response.status_code == 302
    saved = participant_a.assessments.get()
    assert saved.hads_anxiety is None
    assert saved.hads_depression == DEPRESSION
    assert saved.wemwbs_total is None


def test_an_assessment_before_the_referral_is_refused(as_user, clp_a, participant_a):
    # participant_a was referred on 15 Jan 2024.
    response = as_user(clp_a).post(_new_url(participant_a), _assessment(on="2024-01-10"))

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The assessment is before the referral date."
    ]
    assert not Assessment.objects.exists()


def test_an_assessment_in_the_future_is_refused(as_user, clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_user(clp_a).post(_new_url(participant_a), _assessment(on=tomorrow.isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The assessment date cannot be in the future."
    ]
    assert not Assessment.objects.exists()


# Baseline and follow-up


def test_the_form_offers_a_baseline_first_and_a_follow_up_once_there_is_one(
    as_user, clp_a, participant_a
):
    c = as_user(clp_a)
    assert c.get(_new_url(participant_a)).context["form"]["timepoint"].value() == "baseline"

    _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    assert c.get(_new_url(participant_a)).context["form"]["timepoint"].value() == "follow_up"


def test_a_second_baseline_is_refused(as_user, clp_a, participant_a):
    first = _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    response = as_user(clp_a).post(
        _new_url(participant_a), _assessment(on="2024-03-01", items=[0] * 14)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["timepoint"] == [
        "This participant already has a baseline assessment; open it from the timeline to "
        "change it."
    ]
    assert list(participant_a.assessments.all()) == [first]
    first.refresh_from_db()
    assert first.hads_anxiety == ANXIETY


def test_a_follow_up_without_a_baseline_is_refused(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _new_url(participant_a), _assessment(timepoint="follow_up", on="2024-10-01")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["timepoint"] == ["Record the baseline assessment first."]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("on", ["2024-02-01", "2024-01-31"], ids=["same-day", "day-before"])
def test_a_follow_up_on_or_before_the_baseline_is_refused(as_user, clp_a, participant_a, on):
    _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    response = as_user(clp_a).post(
        _new_url(participant_a), _assessment(timepoint="follow_up", on=on)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The follow-up must be after the baseline assessment."
    ]
    assert not participant_a.assessments.filter(timepoint="follow_up").exists()


def test_a_follow_up_the_day_after_the_baseline_is_accepted(as_user, clp_a, participant_a):
    _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    response = as_user(clp_a).post(
        _new_url(participant_a), _assessment(timepoint="follow_up", on="2024-02-02")
    )

    assert response.status_code == 302
    assert participant_a.assessments.filter(timepoint="follow_up").exists()


def test_editing_a_follow_up_to_before_the_baseline_is_refused(as_user, clp_a, participant_a):
    _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)
    follow_up = _recorded(participant_a, "follow_up", date(2024, 11, 1), ITEMS, clp_a)

    response = as_user(clp_a).post(
        _edit_url(participant_a, follow_up), _assessment(timepoint="follow_up", on="2024-01-20")
    )

    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.date == date(2024, 11, 1)


# Editing


def test_editing_an_assessment_recomputes_its_scores(as_user, clp_a, participant_a):
    baseline = _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)
    items = list(ITEMS)
    items[0] = 0  # anxiety 12 -> 9
    items[1] = None  # depression now incomplete

    response = as_user(clp_a).post(
        _edit_url(participant_a, baseline), _assessment(items=items, hads_anxiety="21")
    )

    assert response.status_code == 302
    baseline.refresh_from_db()
    assert baseline.hads_anxiety == ANXIETY - 3
    assert baseline.hads_depression is None
    assert participant_a.assessments.count() == 1
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="assessment")
    assert event.object_id == str(baseline.pk)


def test_editing_cannot_change_the_timepoint(as_user, clp_a, participant_a):
    baseline = _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    response = as_user(clp_a).post(
        _edit_url(participant_a, baseline), _assessment(timepoint="follow_up")
    )

    assert response.status_code == 302
    baseline.refresh_from_db()
    assert baseline.timepoint == "baseline"


def test_the_edit_form_shows_the_saved_items_and_scores(as_user, clp_a, participant_a):
    baseline = _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, clp_a)

    response = as_user(clp_a).get(_edit_url(participant_a, baseline))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'name="hads_1" id="id_hads_1" value="3"', html)
    assert f"Saved scores: anxiety {ANXIETY}, depression {DEPRESSION}." in html


def test_the_participant_page_shows_baseline_and_follow_up_side_by_side(
    as_user, clp_a, participant_a
):
    c = as_user(clp_a)
    c.post(_new_url(participant_a), _assessment(on="2024-02-01"))
    follow_up_items = [1, 0, 1, 1, 1, 2, 0, 3, 2, 2, 1, 0, 2, 1]  # anxiety 8, depression 9
    c.post(
        _new_url(participant_a),
        _assessment(timepoint="follow_up", on="2024-11-01", items=follow_up_items),
    )

    html = c.get(reverse("participants:detail", args=[participant_a.ref])).content.decode()

    assert "Baseline 1 Feb 2024; follow-up 1 Nov 2024" in html
    assert _row(html, "HADS anxiety") == [
        "HADS anxiety (0–21)",
        "12 abnormal",
        "8 borderline",
        "-4",
    ]
    assert _row(html, "HADS depression") == [
        "HADS depression (0–21)",
        "9 borderline",
        "9 borderline",
        "0",
    ]


def test_a_worse_score_is_shown_with_a_plus_sign(as_user, clp_a, participant_a):
    _recorded(participant_a, "baseline", date(2024, 2, 1), [0] * 14, clp_a)
    _recorded(participant_a, "follow_up", date(2024, 11, 1), [1] * 14, clp_a)

    html = as_user(clp_a).get(reverse("participants:detail", args=[participant_a.ref]))

    row = _row(html.content.decode(), "HADS anxiety")
    assert row == ["HADS anxiety (0–21)", "0 normal", "7 normal", "+7"]


def test_the_follow_up_due_date_is_nine_months_after_the_baseline(as_user, clp_a, participant_a):
    _recorded(participant_a, "baseline", date(2024, 5, 31), ITEMS, clp_a)

    html = as_user(clp_a).get(reverse("participants:detail", args=[participant_a.ref]))

    assert "Nine-month follow-up due 28 Feb 2025." in html.content.decode()


# Who may record


def test_a_clp_of_practice_b_cannot_open_practice_a_assessments(as_user, clp_b, participant_a):
    baseline = _recorded(participant_a, "baseline", date(2024, 2, 1), ITEMS, participant_a.clp)
    c = as_user(clp_b)

    assert c.get(_new_url(participant_a)).status_code == 404
    assert c.post(_new_url(participant_a), _assessment(timepoint="follow_up")).status_code == 404
    assert c.get(_edit_url(participant_a, baseline)).status_code == 404
    response = c.post(_edit_url(participant_a, baseline), _assessment(items=[0] * 14))
    assert response.status_code == 404
    baseline.refresh_from_db()
    assert baseline.hads_anxiety == ANXIETY
    assert participant_a.assessments.count() == 1


def test_an_assessment_of_another_participant_is_a_404_under_this_ones_address(
    as_user, clp_a, participant_a, participant_b
):
    theirs = _recorded(participant_b, "baseline", date(2024, 2, 1), ITEMS, participant_b.clp)
    c = as_user(clp_a)

    assert c.get(_edit_url(participant_a, theirs)).status_code == 404
    response = c.post(_edit_url(participant_a, theirs), _assessment(items=[0] * 14))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.hads_anxiety == ANXIETY
    assert theirs.participant == participant_b
    assert not participant_a.assessments.exists()


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_managers_and_programme_leads_cannot_record_assessments(
    as_user, request, participant_a, who
):
    c = as_user(request.getfixturevalue(who))

    assert c.get(_new_url(participant_a)).status_code == 403
    assert c.post(_new_url(participant_a), _assessment()).status_code == 403
    assert not Assessment.objects.exists()


def _every_measure(participant, timepoint, on, recorded_by, *, ons, eq5d, vas):
    assessment = _recorded(participant, timepoint, on, ITEMS, recorded_by)
    for name in ("ons_life_satisfaction", "ons_worthwhile", "ons_happiness", "ons_anxiety"):
        setattr(assessment, name, ons)
    for name in (
        "eq5d_mobility",
        "eq5d_self_care",
        "eq5d_usual_activities",
        "eq5d_pain_discomfort",
        "eq5d_anxiety_depression",
    ):
        setattr(assessment, name, eq5d)
    assessment.eq5d_vas = vas
    assessment.save()
    return assessment


def test_every_recorded_measure_shows_with_its_band_and_change_on_both_pages(
    as_user, clp_a, participant_a
):
    _every_measure(participant_a, "baseline", date(2024, 2, 1), clp_a, ons=3, eq5d=4, vas=40)
    follow_up = _every_measure(
        participant_a, "follow_up", date(2024, 11, 1), clp_a, ons=7, eq5d=2, vas=65
    )
    c = as_user(clp_a)
    pages = [
        reverse("participants:detail", args=[participant_a.ref]),
        _edit_url(participant_a, follow_up),
    ]
    for page in pages:
        html = c.get(page).content.decode()
        assert _row(html, "ONS4 things done are worthwhile") == [
            "ONS4 things done are worthwhile (0–10)",
            "3 low",
            "7 high",
            "+4",
        ]
        assert _row(html, "ONS4 happy yesterday")[1:] == ["3 low", "7 high", "+4"]
        assert _row(html, "ONS4 anxious yesterday")[1:] == ["3 low", "7 high", "+4"]
        assert _row(html, "EQ-5D mobility")[1:] == [
            "4 severe problems",
            "2 slight problems",
            "-2",
        ]
        assert _row(html, "EQ-5D health today")[1:] == ["40", "65", "+25"]
