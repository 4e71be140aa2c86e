"""The import's queries must not grow with its rows: lookups are a few queries per file
(keys in chunks of 900), writes are bulk statements. The bound is the same for 10 and for
100 participants (with their ~300 consultations, ~100 referrals and ~160 assessments); a
query a row would blow through it at once. SQLite splits bulk inserts into statements of
at most 999 parameters, which is why the bound has headroom above the 10-participant
count."""

from datetime import date

import pytest

from exchange.importer import programme_check, programme_import
from tests.exchange.programme_files import programme_files
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 31)


@pytest.mark.parametrize("participants", [10, 100])
def test_an_import_makes_the_same_bounded_number_of_queries_however_many_rows(
    participants, django_assert_max_num_queries
):
    lead = UserFactory(is_programme_lead=True)
    files = programme_files(participants=participants)
    with django_assert_max_num_queries(80):
        result = programme_import(sources=files, user=lead, today=TODAY)
    assert result.applied, result.problems[:5]
    assert result.counts["participants.csv"].new == participants


@pytest.mark.parametrize("participants", [10, 100])
def test_checking_an_import_again_makes_the_same_few_queries_however_many_rows(
    participants, django_assert_num_queries
):
    lead = UserFactory(is_programme_lead=True)
    files = programme_files(participants=participants)
    programme_import(sources=files, user=lead, today=TODAY)
    # One lookup per table the files touch, and the savepoint around them.
    with django_assert_num_queries(17):
        result = programme_check(sources=files, user=lead, today=TODAY)
    assert result.changes == 0
