"""The volume data set writes only what the importer's rules allow: a small generated
programme exports, imports into an empty database without a problem, and exports again to
the same bytes."""

from datetime import date

import pytest
from django.db import transaction

from devdata.volume import volume_generate
from exchange.exporter import programme_export
from exchange.importer import programme_import
from participants.models import Participant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def test_a_generated_programme_exports_and_imports_back_exactly(admin_user):
    files: dict[str, bytes] = {}
    with pytest.raises(_Rollback), transaction.atomic():
        volume_generate(practices=3, participants=60, seed=5, today=date(2026, 6, 1))
        files.update(programme_export(user=admin_user))
        raise _Rollback
    assert not Participant.objects.exists()

    importer = UserFactory(username="importer", is_superuser=True)
    result = programme_import(sources=files, user=importer, today=date(2026, 6, 1))
    assert result.problems == [], "\n".join(result.problems[:20])
    assert Participant.objects.count() == 60
    assert programme_export(user=importer) == files
