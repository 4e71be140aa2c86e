"""A small hand-made programme whose every statistic for 2025 was worked out by hand (see
tests/reports/test_statistics.py for the arithmetic)."""

from datetime import date

from participants.models import Assessment, Consultation, Need, ParticipantNeed
from practices.models import Attachment, StaffSurveyResponse
from referrals.models import Category, CommunityResource, Referral
from tests.factories import ParticipantFactory, PracticeFactory, UserFactory


def _hads(anxiety: int | None, depression: int | None) -> dict:
    """Item scores that add up to the wanted subscales: odd items anxiety, even depression.
    None leaves the last item of that subscale unanswered (an incomplete questionnaire)."""
    items = {}
    for total, first in ((anxiety, 1), (depression, 2)):
        numbers = range(first, 15, 2)
        remaining = total if total is not None else 0
        for n in numbers:
            score = min(3, remaining)
            items[f"hads_{n}"] = score
            remaining -= score
        if total is None:
            items[f"hads_{numbers[-1]}"] = None
    return items


def _assess(participant, timepoint, on, anxiety, depression, exercise, clp):
    from participants.measures import apply_scores

    a = Assessment(
        participant=participant,
        timepoint=timepoint,
        date=on,
        recorded_by=clp,
        exercise_days=exercise,
        **_hads(anxiety, depression),
    )
    apply_scores(a)
    a.save()
    return a


def build_known_programme() -> dict:
    pa = PracticeFactory(code="90001", name="Alpha", joined_on=date(2017, 4, 1))
    pb = PracticeFactory(code="90002", name="Beta", joined_on=date(2025, 3, 1))
    pc = PracticeFactory(
        code="90003", name="Gamma", joined_on=date(2015, 1, 1), left_on=date(2024, 6, 30)
    )
    clp1, clp2, clp3 = UserFactory(), UserFactory(), UserFactory()
    Attachment.objects.create(user=clp1, practice=pa, role="clp", started_on=date(2017, 4, 1))
    Attachment.objects.create(user=clp2, practice=pb, role="clp", started_on=date(2025, 3, 1))
    Attachment.objects.create(
        user=clp3, practice=pc, role="clp", started_on=date(2015, 1, 1), ended_on=date(2024, 6, 30)
    )

    def need(name):
        return Need.objects.get(name=name)

    def participant(practice, clp, referred_on, quintile, needs):
        p = ParticipantFactory(
            practice=practice, clp=clp, referred_on=referred_on, simd_quintile=quintile
        )
        for n in needs:
            ParticipantNeed.objects.create(
                participant=p, need=need(n), identified_on=referred_on, recorded_by=clp
            )
        return p

    def seen(p, on, attended=True):
        Consultation.objects.create(
            participant=p,
            clp=p.clp,
            date=on,
            mode="practice",
            duration_minutes=30 if attended else 0,
            attended=attended,
        )

    p1 = participant(pa, clp1, date(2024, 11, 1), 1, ["Anxiety or depression", "Money and debt"])
    for on in (date(2024, 12, 1), date(2025, 2, 1), date(2025, 5, 1)):
        seen(p1, on)
    _assess(p1, "baseline", date(2024, 12, 1), 12, 9, 1, clp1)
    _assess(p1, "follow_up", date(2025, 9, 1), 8, 6, 3, clp1)

    p2 = participant(pb, clp2, date(2025, 1, 10), 2, ["Pain"])
    seen(p2, date(2025, 1, 20))
    seen(p2, date(2025, 3, 1), attended=False)
    _assess(p2, "baseline", date(2025, 1, 20), 15, 11, 0, clp2)
    _assess(p2, "follow_up", date(2025, 10, 20), 14, 12, 0, clp2)

    p3 = participant(
        pa, clp1, date(2025, 2, 1), None, ["Social isolation", "Stress", "Long-term condition"]
    )
    seen(p3, date(2025, 2, 5))
    seen(p3, date(2025, 3, 5))
    _assess(p3, "baseline", date(2025, 2, 5), 10, None, 2, clp1)
    _assess(p3, "follow_up", date(2025, 11, 5), 6, 5, 5, clp1)

    p4 = participant(pa, clp1, date(2025, 6, 1), 1, [])  # did-not-attend only
    seen(p4, date(2025, 6, 10), attended=False)

    p5 = participant(pa, clp1, date(2023, 1, 1), 1, [])  # seen before the period only
    seen(p5, date(2023, 2, 1))
    _assess(p5, "baseline", date(2023, 2, 1), 14, 14, 0, clp1)

    p6 = participant(pb, clp2, date(2025, 4, 1), 1, [])  # baseline only
    seen(p6, date(2025, 4, 10))
    _assess(p6, "baseline", date(2025, 4, 10), 16, 16, 0, clp2)

    def resource(name, categories):
        r = CommunityResource.objects.create(
            organisation=f"{name} Trust",
            name=name,
            description="A service",
            area="North",
            how_to_refer="Phone",
            created_by=clp1,
        )
        r.categories.set(Category.objects.filter(name__in=categories))
        return r

    r1 = resource("Walk and Talk", ["Physical activity", "Mental wellbeing"])
    r2 = resource("Money Matters", ["Money advice"])

    def refer(p, r, on, status, appropriate=None):
        Referral.objects.create(
            participant=p,
            resource=r,
            clp=p.clp,
            date=on,
            status=status,
            status_on=on,
            feedback_appropriate=appropriate,
        )

    refer(p1, r1, date(2025, 2, 10), "engaged", appropriate=True)
    refer(p1, r2, date(2024, 12, 20), "declined")
    refer(p2, r2, date(2025, 1, 25), "suggested")
    refer(p3, r1, date(2025, 3, 1), "attended", appropriate=False)

    for practice, year, wellbeing, give_up in [
        (pa, 2025, True, False),
        (pa, 2025, True, False),
        (pa, 2025, False, True),
        (pb, 2025, True, False),
        (pb, 2025, False, False),
        (pa, 2024, True, True),
    ]:
        StaffSurveyResponse.objects.create(
            practice=practice, year=year, wellbeing_activities=wellbeing, give_up_within_5y=give_up
        )
    return {"participants": [p1, p2, p3, p4, p5, p6]}
