"""The volume generator's own promises: the same data whatever the batch size, the dense
practice, and the running counts rebuilt (not left to the triggers) but right."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import F

from devdata.volume import (
    BENCH_DENSE_CLP,
    BENCH_DENSE_MANAGER,
    BENCH_USERNAMES,
    volume_generate,
)
from exchange.exporter import programme_export
from participants.models import Consultation, Participant
from practices.models import Attachment, StaffRole
from referrals.models import Referral
from reports.figures import practice_figures_current, practice_figures_differences
from tests.participants.test_need_domains import need_domain_differences

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


class _Rollback(Exception):
    pass


def _export_of(admin_user, **sizes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with pytest.raises(_Rollback), transaction.atomic():
        volume_generate(seed=5, today=TODAY, password="same-pass-9", **sizes)
        files.update(programme_export(user=admin_user))
        raise _Rollback
    return files


def test_the_batch_size_does_not_change_the_data(admin_user):
    small = _export_of(admin_user, practices=3, participants=40, dense=5, batch_size=7)
    large = _export_of(admin_user, practices=3, participants=40, dense=5, batch_size=1000)
    assert small == large
    assert small != _export_of(admin_user, practices=3, participants=41, dense=5)


def test_the_dense_practice_has_one_clp_holding_its_participants():
    volume_generate(practices=2, participants=20, dense=60, seed=2, today=TODAY)
    assert {BENCH_DENSE_CLP, BENCH_DENSE_MANAGER} <= set(BENCH_USERNAMES)
    dense = Participant.objects.filter(clp__username=BENCH_DENSE_CLP)
    assert dense.count() == 60
    (practice_id,) = set(dense.values_list("practice_id", flat=True))
    assert (
        not Participant.objects.filter(practice_id=practice_id)
        .exclude(clp__username=BENCH_DENSE_CLP)
        .exists()
    )
    roles = set(
        Attachment.objects.filter(practice_id=practice_id).values_list("user__username", "role")
    )
    assert roles == {
        (BENCH_DENSE_CLP, StaffRole.CLP),
        (BENCH_DENSE_MANAGER, StaffRole.PRACTICE_MANAGER),
    }
    # In the programme two years: a real open caseload, not a list of closed cases.
    assert dense.filter(status="open").count() > 10
    assert Participant.objects.count() == 80


def test_the_running_counts_match_the_records_and_the_triggers_count_again_after():
    volume_generate(practices=2, participants=30, seed=4, today=TODAY)
    assert practice_figures_differences() == []
    assert not Referral.objects.exclude(practice_id=F("participant__practice_id")).exists()
    assert not Consultation.objects.exclude(
        practice_id=F("participant__practice_id"), caseload_clp_id=F("participant__clp_id")
    ).exists()
    # Each participant's first need in each domain, written with them (the trigger was off).
    assert Participant.objects.exclude(first_social_need_on=None).exists()
    assert need_domain_differences() == []
    before = sum(practice_figures_current().values())
    consultation = Consultation.objects.first()
    consultation.pk = None
    consultation.save()
    assert sum(practice_figures_current().values()) == before + 1
