"""The standing cast: two practices, a CLP at each, a practice manager at A, a programme
lead, an administrator, and one participant at each practice. Every view test uses the
outsider (the other practice's CLP) as well as the insider."""

import importlib

import pytest
from django.apps import apps as django_apps

from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    PracticeFactory,
    UserFactory,
    clp_at,
    manager_at,
)


@pytest.fixture
def practice_a(db):
    return PracticeFactory(name="Calder Street Practice", code="11111")


@pytest.fixture
def practice_b(db):
    return PracticeFactory(name="Riverside Medical Group", code="22222")


@pytest.fixture
def clp_a(practice_a):
    return clp_at(practice_a, username="clp_a", full_name="Anna A")


@pytest.fixture
def clp_b(practice_b):
    return clp_at(practice_b, username="clp_b", full_name="Ben B")


@pytest.fixture
def manager_a(practice_a):
    return manager_at(practice_a, username="manager_a", full_name="Maggie Manager")


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", full_name="Lee Lead", is_programme_lead=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", full_name="Ada Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def participant_a(practice_a, clp_a):
    participant = ParticipantFactory(
        practice=practice_a, clp=clp_a, ref="P1001", first_name="Alice", last_name="Anderson"
    )
    ConsultationFactory(participant=participant, notes="Alice private note")
    return participant


@pytest.fixture
def participant_b(practice_b, clp_b):
    participant = ParticipantFactory(
        practice=practice_b, clp=clp_b, ref="P2001", first_name="Bella", last_name="Brown"
    )
    ConsultationFactory(participant=participant, notes="Bella private note")
    return participant


def _client_for(client_factory, user):
    c = client_factory()
    c.force_login(user)
    return c


@pytest.fixture
def as_user(db):
    """as_user(user) -> a test client signed in as that user."""
    from django.test import Client

    return lambda user: _client_for(Client, user)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second a user; tests need many users, not the cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Tests with transaction=True empty every table when they end, including the lists that
# data migrations seed (needs, resource categories). They are marked serialized_rollback=True,
# which restores that data afterwards, so the tests that follow still find it.


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache. With CACHE_URL on Redis (as in CI) the cache
    outlives the test database, whose ids start again at 1: a job's progress or a rate-limit
    count from an earlier test or run must not leak into this one."""
    from django.core.cache import cache

    cache.clear()


def _migration_module(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


@pytest.fixture(autouse=True)
def _seeded_lists(request):
    """The needs, resource categories and SNOMED CT codes that data migrations seed, present
    in every test that uses the database: a transactional test's flush empties them, and not
    every later test restores them."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from interchange.models import SnomedCode
    from participants.models import Need
    from referrals.models import Category

    if not Need.objects.exists():
        needs = _migration_module("participants", "0003_default_needs").DEFAULT_NEEDS
        Need.objects.bulk_create(Need(name=n, domain=d) for n, d in needs)
    if not Category.objects.exists():
        module = _migration_module("referrals", "0002_default_categories")
        module.add_categories(django_apps, None)
    if not SnomedCode.objects.exists():
        _migration_module("interchange", "0002_seed_social_prescribing_codes").seed(
            django_apps, None
        )
