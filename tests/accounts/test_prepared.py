"""Prepared queries give what their queryset gives, for every value they are called with,
and refuse what they cannot bind."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Subquery

from accounts.prepared import Prepared
from participants.models import Consultation, Participant
from tests.factories import ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def _rows(objects, *names):
    return [tuple(getattr(o, n) for n in names) for o in objects]


def _attended_count():
    return (
        Consultation.objects.filter(participant=OuterRef("pk"), attended=True)
        .order_by()
        .values("participant")
        .annotate(n=Count("*"))
        .values("n")
    )


def _people(practice_ids, since):
    return (
        Participant.objects.filter(practice_id__in=practice_ids, referred_on__gte=since)
        .select_related("practice", "clp")
        .prefetch_related("consultations")
        .annotate(seen=Subquery(_attended_count()))
        .order_by("ref")
    )


@pytest.fixture
def people(practice_a, practice_b, clp_a, clp_b):
    today = date(2026, 6, 1)
    made = []
    for n, (practice, clp) in enumerate([(practice_a, clp_a), (practice_b, clp_b)] * 3):
        person = ParticipantFactory(
            practice=practice, clp=clp, ref=f"P{900 + n}", referred_on=today - timedelta(n * 30)
        )
        for _ in range(n):
            ConsultationFactory(participant=person, attended=True)
        made.append(person)
    return made


def test_it_gives_what_the_queryset_gives_for_every_value(people, practice_a, practice_b):
    prepared = Prepared(_people)
    for ids in ([practice_a.pk], [practice_b.pk], [practice_a.pk, practice_b.pk]):
        for since in (date(2025, 1, 1), date(2026, 4, 1), date(2026, 6, 1)):
            got = prepared(ids, since)
            want = list(_people(ids, since))
            names = ("pk", "ref", "practice_id", "seen")
            assert _rows(got, *names) == _rows(want, *names)
            assert [p.practice.name for p in got] == [p.practice.name for p in want]
            assert [p.clp.username for p in got] == [p.clp.username for p in want]
            assert [len(p.consultations.all()) for p in got] == [
                len(p.consultations.all()) for p in want
            ]
    assert any(p.seen for p in prepared([practice_a.pk, practice_b.pk], date(2025, 1, 1)))


def test_lists_are_taken_as_sets_and_an_empty_one_finds_nothing(people, practice_a, practice_b):
    prepared = Prepared(_people)
    since = date(2025, 1, 1)
    both = [practice_b.pk, practice_a.pk, practice_a.pk]
    assert _rows(prepared(both, since), "pk") == _rows(_people(both, since), "pk")
    assert _rows(prepared({practice_a.pk}, since), "pk") == _rows(
        _people([practice_a.pk], since), "pk"
    )
    assert prepared([], since) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_it_compiles_once_per_shape_and_runs_one_query(people, practice_a, practice_b):
    from django.test.utils import CaptureQueriesContext

    prepared = Prepared(lambda ref: Participant.objects.filter(ref=ref).select_related("practice"))
    first = prepared(people[0].ref)
    with CaptureQueriesContext(connection) as captured:
        second = prepared(people[1].ref)
    assert len(captured.captured_queries) == 1
    assert [p.ref for p in first] == [people[0].ref] and [p.ref for p in second] == [people[1].ref]
    assert len(prepared._plans) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
@pytest.mark.parametrize(
    "build",
    [
        lambda n: Participant.objects.all()[:n],  # a slice's bound is written into the SQL
        lambda name: Participant.objects.filter(last_name__icontains=name),  # rewritten
        lambda n: Participant.objects.filter(pk=n).values("ref"),  # not model instances
    ],
)
def test_it_refuses_what_it_cannot_bind(build, people):
    with pytest.raises(ImproperlyConfigured):
        Prepared(build)(people[0].last_name if "name" in build.__code__.co_varnames else 5)


def test_it_refuses_a_related_managers_query(people):
    if connection.vendor != "postgresql":
        pytest.skip("prepared on PostgreSQL only")
    person = people[0]
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda n: person.consultations.filter(pk__gte=n))(1)


def test_it_takes_no_booleans(people):
    with pytest.raises(TypeError):
        Prepared(lambda flag: Consultation.objects.filter(attended=flag))(True)


def test_a_values_list_gives_the_querysets_tuples(people, practice_a, practice_b):
    def build(practice_ids, since):
        return (
            Participant.objects.filter(practice_id__in=practice_ids, referred_on__gte=since)
            .values_list("practice_id", "referred_on")
            .annotate(n=Count("id"))
            .order_by("practice_id", "referred_on")
        )

    prepared = Prepared(build)
    for ids in ([practice_a.pk], [practice_a.pk, practice_b.pk]):
        for since in (date(2025, 1, 1), date(2026, 5, 1)):
            assert prepared(ids, since) == list(build(ids, since))


def test_it_refuses_a_value_that_build_changes():
    """A value changed inside `build` would be compiled in for good: refused instead."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared on PostgreSQL only")
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda since: Participant.objects.filter(referred_on__gte=since.replace(day=1)))(
            date(2026, 5, 20)
        )


def _with_consultations(ids):
    """Participants by id, each with their attended consultations, newest first, on a list."""
    return (
        Participant.objects.filter(pk__in=ids)
        .prefetch_related(
            Prefetch(
                "consultations",
                queryset=Consultation.objects.filter(attended=True).order_by("-date", "pk"),
                to_attr="seen",
            )
        )
        .order_by("ref")
    )


def _their_consultations(ids):
    """Consultations by id, each with its participant's attended ones, through the
    participant the query selects."""
    return (
        Consultation.objects.filter(pk__in=ids)
        .select_related("participant")
        .prefetch_related(
            Prefetch(
                "participant__consultations",
                queryset=Consultation.objects.filter(attended=True).order_by("pk"),
                to_attr="seen",
            )
        )
        .order_by("pk")
    )


def test_a_prefetch_to_a_list_is_read_by_a_prepared_query_of_its_own(people):
    """A `Prefetch` of a reverse foreign key into a list attribute gives the lists the
    queryset's prefetch gives, directly and through a selected relation, in one query more;
    the children know their parent without a query."""
    from django.test.utils import CaptureQueriesContext

    people_ids = [p.pk for p in people]
    direct = Prepared(_with_consultations)
    for chosen in (people_ids, people_ids[:2], people_ids[3:]):
        got, want = direct(list(chosen)), list(_with_consultations(chosen))
        assert [[c.pk for c in p.seen] for p in got] == [[c.pk for c in p.seen] for p in want]
    assert any(p.seen for p in got)
    with CaptureQueriesContext(connection) as captured:
        got = direct(people_ids)
        assert {c.participant.pk for p in got for c in p.seen} <= set(people_ids)
    assert len(captured.captured_queries) == 2

    ids = list(Consultation.objects.order_by("pk").values_list("pk", flat=True))
    through = Prepared(_their_consultations)
    for chosen in (ids, ids[:3], ids[-2:]):
        got, want = through(list(chosen)), list(_their_consultations(chosen))
        assert [[c.pk for c in x.participant.seen] for x in got] == [
            [c.pk for c in x.participant.seen] for x in want
        ]
    with CaptureQueriesContext(connection) as captured:
        through(ids)
    assert len(captured.captured_queries) == 2
    if connection.vendor == "postgresql":
        assert through._plans and all(p.children for p in through._plans.values())


def test_a_slice_gives_the_querysets_slice_and_runs_one_statement(
    people, practice_a, practice_b, django_assert_num_queries
):
    prepared = Prepared(
        lambda ids: (
            Participant.objects.filter(practice_id__in=ids).order_by("ref").values_list("ref")
        )
    )
    ids = [practice_a.pk, practice_b.pk]
    whole = list(_people(ids, date(2000, 1, 1)).values_list("ref"))
    for start, stop in ((0, 2), (2, 4), (4, 10), (6, 9), (0, 0)):
        assert prepared.slice(start, stop, ids) == whole[start:stop]
    if connection.vendor == "postgresql":
        with django_assert_num_queries(1):
            assert prepared.slice(2, 4, ids) == whole[2:4]


def test_a_slice_must_be_of_one_ordered_unsliced_query(people, practice_a):
    with pytest.raises(ValueError):
        Prepared(lambda ids: Participant.objects.filter(practice_id__in=ids)).slice(3, 1, [1])
    if connection.vendor != "postgresql":
        return  # elsewhere the queryset is sliced as usual
    unordered = Prepared(
        lambda ids: Participant.objects.filter(practice_id__in=ids).order_by().values_list("ref")
    )
    sliced = Prepared(
        lambda ids: Participant.objects.filter(practice_id__in=ids).order_by("ref")[:3]
    )
    for prepared in (unordered, sliced):
        with pytest.raises(ImproperlyConfigured):
            prepared.slice(0, 2, [practice_a.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_it_is_prepared_on_the_server_once_a_connection(people, settings):
    """The first run on a connection sends the PREPARE with the EXECUTE, as one statement;
    the next ones the EXECUTE alone; a new connection prepares it again. A literal percent
    sign in the SQL survives both."""
    from django.db.models.expressions import RawSQL
    from django.test.utils import CaptureQueriesContext

    settings.DATABASE_SERVER_PREPARED = True
    prepared = Prepared(
        lambda ref: (
            Participant.objects.filter(ref=ref)
            .annotate(share=RawSQL("'50%%'", []))
            .values_list("ref", "share")
        )
    )
    for _ in range(2):  # the second time on a new connection
        with CaptureQueriesContext(connection) as captured:
            assert prepared(people[0].ref) == [(people[0].ref, "50%")]
            assert prepared(people[1].ref) == [(people[1].ref, "50%")]
        first, second = (query["sql"] for query in captured.captured_queries)
        assert first.startswith("PREPARE links_prepared_") and "; EXECUTE links_prepared_" in first
        assert second.startswith("EXECUTE links_prepared_")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'links_%'")
            assert cursor.fetchone()[0] >= 1
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_with_server_statements_off_the_sql_goes_as_it_is(people, settings):
    from django.test.utils import CaptureQueriesContext

    settings.DATABASE_SERVER_PREPARED = False
    prepared = Prepared(lambda ref: Participant.objects.filter(ref=ref).values_list("ref"))
    with CaptureQueriesContext(connection) as captured:
        assert prepared(people[0].ref) == [(people[0].ref,)]
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
