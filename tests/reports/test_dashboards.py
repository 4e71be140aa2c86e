import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import ConsultationFactory, ParticipantFactory, PracticeFactory

PRACTICE = reverse("reports:practice_dashboard")
PROGRAMME = reverse("reports:programme_dashboard")


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def _busy(practice, clp, people: int, visits: int = 2):
    for _ in range(people):
        p = ParticipantFactory(practice=practice, clp=clp)
        for _ in range(visits):
            ConsultationFactory(participant=p, date=timezone.localdate())


def test_a_practice_manager_sees_their_practice_only(
    as_user, manager_a, clp_a, clp_b, practice_a, practice_b
):
    _busy(practice_a, clp_a, 6)
    _busy(practice_b, clp_b, 7)
    body = as_user(manager_a).get(PRACTICE).content.decode()
    assert "Anna A" in body and "Ben B" not in body


def test_the_practice_csv_suppresses_small_counts_and_is_audited(
    as_user, manager_a, clp_a, practice_a
):
    _busy(practice_a, clp_a, 3)
    rows = _rows(as_user(manager_a).get(PRACTICE, {"download": "clps"}))
    assert rows[0] == [
        "practice",
        "clp",
        "open_cases",
        "closed_cases",
        "consultations_last_30_days",
    ]
    assert rows[1][2] == "<5"  # three open cases
    assert rows[1][4] == "6"  # six consultations
    assert AuditEvent.objects.filter(action="export", detail="caseload-by-clp.csv").exists()


@pytest.mark.parametrize("who", ["clp_a", "lead"])
def test_the_practice_dashboard_is_for_practice_managers(request, as_user, who):
    assert as_user(request.getfixturevalue(who)).get(PRACTICE).status_code == 403


def test_the_programme_dashboard_compares_practices_without_names(
    as_user, lead, clp_a, clp_b, practice_a, practice_b, participant_a
):
    _busy(practice_a, clp_a, 6)
    _busy(practice_b, clp_b, 2)
    response = as_user(lead).get(PROGRAMME)
    body = response.content.decode()
    assert "Calder Street Practice" in body and "Riverside Medical Group" in body
    assert participant_a.last_name not in body and participant_a.chi not in body
    rows = _rows(as_user(lead).get(PROGRAMME, {"download": "practices"}))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["11111"][3] == "7"  # participant_a and six more open at practice A
    assert by_code["22222"][3] == "<5"  # two open at practice B


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_the_programme_dashboard_is_for_programme_leads(request, as_user, who):
    assert as_user(request.getfixturevalue(who)).get(PROGRAMME).status_code == 403


@pytest.mark.parametrize("people", [1, 8])
def test_the_practice_dashboard_makes_the_same_queries_however_much_data(
    as_user, manager_a, clp_a, practice_a, people, django_assert_num_queries
):
    _busy(practice_a, clp_a, people)
    c = as_user(manager_a)
    # 4 for the session and roles + cases by CLP with their consultations of the last 30
    # days, then the running counts once (by month for the chart, summed for follow-ups and
    # referrals), safeguarding concerns by category + 2 savepoints for the session save
    with django_assert_num_queries(9):
        c.get(PRACTICE)


@pytest.mark.parametrize("people", [1, 8])
def test_the_programme_dashboard_makes_the_same_queries_however_much_data(
    as_user, lead, clp_a, practice_a, practice_b, people, django_assert_num_queries
):
    _busy(practice_a, clp_a, people)
    c = as_user(lead)
    # 4 for the session and roles + the page of practices (their count, the page and the
    # page's running counts, reports.figures) + the totals of them all and the counts per
    # month for the chart in one query + 2 savepoints
    with django_assert_num_queries(10):
        c.get(PROGRAMME)


def test_the_dashboards_draw_charts_with_their_numbers_in_tables(as_user, lead, manager_a):
    for who, url in ((lead, PROGRAMME), (manager_a, reverse("reports:practice_dashboard"))):
        body = as_user(who).get(url).content.decode()
        assert body.count("<svg") == 3
        assert 'aria-label="Consultations attended per month"' in body
        assert '<th scope="col">Month</th>' in body


def test_the_programme_dashboard_is_titled_plainly(as_user, lead, practice_a):
    page = as_user(lead).get(reverse("reports:programme_dashboard")).content.decode()
    assert "<title>Programme dashboard · Links</title>" in page


def test_the_programme_dashboard_shows_practices_a_page_at_a_time_with_totals_of_all(
    as_user, lead, settings
):
    settings.LINKS_PAGE_SIZE = 5
    practices = [PracticeFactory(name=f"Practice {n:02}", code=f"9{n:04}") for n in range(7)]
    for practice in practices:
        ParticipantFactory(practice=practice)
    c = as_user(lead)
    first = c.get(PROGRAMME).content.decode()
    second = c.get(PROGRAMME, {"page": 2}).content.decode()
    names = [p.name for p in practices]
    on_first = [n for n in names if f"<td>{n}</td>" in first]
    on_second = [n for n in names if f"<td>{n}</td>" in second]
    assert len(on_first) == 5 and sorted(on_first + on_second) == names
    assert "7 practices, 1 to 5 shown; the totals are of them all" in first
    assert "7 practices, 6 to 7 shown" in second
    assert "Page 1 of 2" in first and "?page=2" in first
    for body in (first, second):
        totals = body.split("<tfoot>")[1]
        assert '<td class="text-end">7</td>' in totals  # open cases at every practice
        # the charts draw the page's practices only
        assert sum(f"{n}</text>" in body for n in names) == (5 if body is first else 2)
    rows = _rows(c.get(PROGRAMME, {"download": "practices"}))
    assert len(rows) == 1 + 7


def test_the_programme_totals_are_the_sums_of_every_practices_row(db):
    """The totals row is summed by the database over the scope; it must be what adding up
    every practice's row gives, percentages worked out from the summed counts."""
    from datetime import date

    from accounts.models import User
    from devdata.volume import BENCH_LEAD, volume_generate
    from reports.dashboards import practice_comparison, practice_comparison_totals
    from reports.definitions import pct

    today = date(2026, 11, 23)
    volume_generate(practices=4, participants=60, seed=5, today=today)
    lead = User.objects.get(username=BENCH_LEAD)
    rows = practice_comparison(user=lead, today=today)
    keys = ("open_cases", "attended", "dna", "referrals_made", "referrals_engaged")
    summed = {key: sum(getattr(row, key) for row in rows) for key in keys}
    summed["follow_ups_due"] = sum(row.follow_ups_due for row in rows)
    summed["follow_ups_completed"] = sum(row.follow_ups_completed for row in rows)
    summed["engaged_pct"] = pct(summed["referrals_engaged"], summed["referrals_made"])
    summed["completion_pct"] = pct(summed["follow_ups_completed"], summed["follow_ups_due"])
    assert all(summed[key] for key in keys)  # a programme with something in every column
    assert practice_comparison_totals(user=lead, today=today) == summed
