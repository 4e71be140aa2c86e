"""Query counts of the list pages are pinned: they must not grow with the number of rows,
or a caseload of hundreds would make hundreds of queries.

Every signed-in request reads the session and the user, reads the user's roles once, and
saves the session (idle expiry): a savepoint, an update and a release in the test run."""

from datetime import date

import pytest
from django.urls import reverse

from participants.models import Assessment, Need, ParticipantNeed
from tests.factories import ConsultationFactory, ParticipantFactory


def _add_participants(practice, clp, n):
    for _ in range(n):
        ConsultationFactory.create_batch(
            2, participant=ParticipantFactory(practice=practice, clp=clp)
        )


@pytest.mark.parametrize("rows", [1, 12])
def test_the_caseload_page_makes_the_same_queries_however_many_rows(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    _add_participants(practice_a, clp_a, rows)
    c = as_user(clp_a)
    # 4 for the session and roles + count, the page's ids, its rows (a prepared query), the
    # page's active risk flags, practices and needs for the filters + the audit insert + 2
    # savepoints
    with django_assert_num_queries(13):
        assert c.get(reverse("participants:caseload"), {"status": "all"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_clp_home_page_makes_the_same_queries_however_many_rows(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    _add_participants(practice_a, clp_a, rows)
    c = as_user(clp_a)
    # 4 for the session and roles + counts, recent list, seen this week, follow-up worklist
    # + the audit insert naming the recent list + 2 savepoints
    with django_assert_num_queries(11):
        assert c.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_participant_page_makes_the_same_queries_however_many_consultations(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    participant = ParticipantFactory(practice=practice_a, clp=clp_a)
    needs = list(Need.objects.all()[:rows])
    for need in needs:
        ParticipantNeed.objects.create(
            participant=participant, need=need, identified_on=date(2024, 1, 20), recorded_by=clp_a
        )
    for consultation in ConsultationFactory.create_batch(rows, participant=participant):
        consultation.needs_discussed.set(needs)
    Assessment.objects.create(
        participant=participant, timepoint="baseline", date=date(2024, 2, 1), recorded_by=clp_a
    )
    c = as_user(clp_a)
    # 4 for the session and roles + participant, audit insert; consultations, their needs
    # discussed, assessments, needs, status changes, follow-ups (the summary reuses them);
    # risk flags, referrals + 2 savepoints
    with django_assert_num_queries(16):
        c.get(reverse("participants:detail", args=[participant.ref]))


@pytest.mark.parametrize("rows", [1, 12])
def test_the_practices_page_makes_the_same_queries_however_many_rows(
    as_user, lead, practice_a, clp_a, rows, django_assert_num_queries
):
    _add_participants(practice_a, clp_a, rows)
    c = as_user(lead)
    # 4 for the session and roles + the count of practices, a page of practices with their
    # CLPs, their running counts (reports.figures) + 2 savepoints
    with django_assert_num_queries(9):
        c.get(reverse("practices:list"))
