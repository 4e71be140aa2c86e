"""`Referral.practice` is the participant's practice, kept by the database: the referral
list's scope reads it, so a referral that kept an old practice would show a moved person's
referral to the practice they left."""

from datetime import date

import pytest

from participants.models import Participant
from participants.services import participant_transfer
from referrals.access import referrals_editable_by, referrals_visible_to
from referrals.models import Referral, ReferralStatus
from tests.referrals.factories import ReferralFactory, ResourceFactory


def practice_of(referral: Referral) -> int | None:
    return Referral.objects.values_list("practice_id", flat=True).get(pk=referral.pk)


def test_a_new_referral_takes_its_participants_practice(referral_a, participant_a):
    assert practice_of(referral_a) == participant_a.practice_id


def test_referrals_written_in_bulk_take_their_participants_practice(participant_a, resource):
    (made,) = Referral.objects.bulk_create(
        [
            Referral(
                participant=participant_a,
                resource=resource,
                clp=participant_a.clp,
                date=date(2024, 3, 1),
                status=ReferralStatus.SUGGESTED,
                status_on=date(2024, 3, 1),
            )
        ]
    )
    assert practice_of(made) == participant_a.practice_id


def test_the_practice_cannot_be_written_apart_from_the_participant(
    referral_a, participant_a, practice_b
):
    Referral.objects.filter(pk=referral_a.pk).update(practice_id=practice_b.pk)
    assert practice_of(referral_a) == participant_a.practice_id


def test_a_referral_moved_to_another_participant_takes_their_practice(referral_a, participant_b):
    Referral.objects.filter(pk=referral_a.pk).update(participant_id=participant_b.pk)
    assert practice_of(referral_a) == participant_b.practice_id


@pytest.mark.django_db
def test_referrals_go_with_a_transferred_participant(
    clp_a, clp_b, participant_a, practice_b, referral_a
):
    ReferralFactory(participant=participant_a, resource=ResourceFactory())
    participant_transfer(user=clp_a, participant=participant_a, practice=practice_b, clp=clp_b)

    assert set(
        Referral.objects.filter(participant=participant_a).values_list("practice_id", flat=True)
    ) == {practice_b.pk}
    assert not referrals_visible_to(clp_a).filter(participant=participant_a).exists()
    assert not referrals_editable_by(clp_a).filter(participant=participant_a).exists()
    assert referrals_visible_to(clp_b).filter(participant=participant_a).count() == 2
    assert referrals_editable_by(clp_b).filter(participant=participant_a).count() == 2


def test_a_practice_changed_by_a_bulk_update_moves_the_referrals(
    referral_a, participant_a, practice_b
):
    Participant.objects.filter(pk=participant_a.pk).update(practice=practice_b)
    assert practice_of(referral_a) == practice_b.pk


def test_the_referral_list_scope_reads_the_referrals_own_practice(clp_a, referral_a):
    sql = str(referrals_visible_to(clp_a).query)
    assert '"referrals_referral"."practice_id" IN' in sql
    assert "participants_participant" not in sql
