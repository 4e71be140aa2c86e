"""The participant services, called directly: references, duplicates and deprivation."""

import random
from datetime import date

import pytest

from participants.chi import make_chi
from participants.models import Need, Participant, ReferenceSequence, SimdPostcode
from participants.services import (
    DuplicateParticipant,
    participant_next_ref,
    participant_register,
    participant_update,
)
from tests.factories import ParticipantFactory


def _number(ref):
    assert ref.startswith("P")
    return int(ref[1:])


def _unsaved(practice, clp, *, postcode="G21 1AA", seed=3, dob=date(1975, 8, 9)):
    return Participant(
        practice=practice,
        clp=clp,
        chi=make_chi(date_of_birth=dob, sex="male", rng=random.Random(seed)),
        first_name="Iain",
        last_name="Munro",
        date_of_birth=dob,
        sex="male",
        postcode=postcode,
        referred_on=date(2024, 3, 1),
        referred_by="gp",
    )


def _simd(postcode, *, decile, quintile, data_zone="S01010206"):
    return SimdPostcode.objects.create(
        postcode=postcode,
        data_zone=data_zone,
        rank=100,
        vigintile=1,
        decile=decile,
        quintile=quintile,
    )


# References


def test_references_start_at_p1000_and_go_up_by_one(db):
    assert [participant_next_ref() for _ in range(3)] == ["P1000", "P1001", "P1002"]


def test_references_skip_past_an_imported_reference(db):
    first = participant_next_ref()
    ParticipantFactory(ref="P5000")

    following = participant_next_ref()

    assert _number(following) == 5001
    assert _number(following) > _number(first)


def test_references_compare_as_numbers_not_as_text(db):
    # As text "P999" sorts after "P1200"; as numbers it is smaller.
    ParticipantFactory(ref="P999")
    ParticipantFactory(ref="P1200")

    assert participant_next_ref() == "P1201"


def test_references_that_are_not_programme_numbers_are_ignored(db):
    ParticipantFactory(ref="LEGACY-77777")
    ParticipantFactory(ref="P12X")

    assert participant_next_ref() == "P1000"


def test_a_reference_is_never_reused_after_its_participant_is_deleted(db):
    ref = participant_next_ref()
    ParticipantFactory(ref=ref).delete()

    again = participant_next_ref()

    assert again != ref
    assert _number(again) > _number(ref)


def test_the_highest_reference_is_not_reused_after_it_is_deleted(db):
    ParticipantFactory(ref="P5000")
    issued = participant_next_ref()
    assert issued == "P5001"
    ParticipantFactory(ref=issued)
    Participant.objects.filter(ref__in=["P5000", issued]).delete()

    assert participant_next_ref() == "P5002"
    assert ReferenceSequence.objects.get(name="participant").last_value == 5002


def test_an_imported_reference_with_leading_zeros_does_not_hide_a_higher_one(db):
    ParticipantFactory(ref="P1000")
    ParticipantFactory(ref="P00007")

    issued = participant_next_ref()

    assert not Participant.objects.filter(ref=issued).exists()


# Registering


def test_register_gives_the_new_participant_the_next_reference(practice_a, clp_a):
    registered = participant_register(user=clp_a, participant=_unsaved(practice_a, clp_a))

    assert registered.pk is not None
    assert registered.ref == "P1000"
    assert participant_next_ref() == "P1001"


def test_register_records_needs_as_identified_on_the_referral_date(practice_a, clp_a):
    needs = list(Need.objects.filter(name__in=["Housing", "Stress"]))

    registered = participant_register(
        user=clp_a, participant=_unsaved(practice_a, clp_a), needs=needs
    )

    rows = registered.needs.order_by("need__name")
    assert [(pn.need.name, pn.identified_on, pn.recorded_by) for pn in rows] == [
        ("Housing", date(2024, 3, 1), clp_a),
        ("Stress", date(2024, 3, 1), clp_a),
    ]


def test_register_raises_duplicate_participant_for_a_known_chi(practice_a, clp_a, participant_b):
    before = Participant.objects.count()
    duplicate = _unsaved(practice_a, clp_a)
    duplicate.chi = participant_b.chi

    with pytest.raises(DuplicateParticipant) as raised:
        participant_register(
            user=clp_a, participant=duplicate, needs=[Need.objects.get(name="Housing")]
        )

    assert raised.value.existing == participant_b
    assert Participant.objects.count() == before
    assert not participant_b.needs.exists()
    assert not ReferenceSequence.objects.exists()  # no reference was used up


def test_register_sets_deprivation_from_a_known_postcode(practice_a, clp_a):
    _simd("G21 1AA", decile=1, quintile=1, data_zone="S01010206")
    _simd("EH1 1AA", decile=9, quintile=5, data_zone="S01008677")

    registered = participant_register(
        user=clp_a, participant=_unsaved(practice_a, clp_a, postcode="G21 1AA")
    )

    registered.refresh_from_db()
    assert registered.simd_decile == 1
    assert registered.simd_quintile == 1
    assert registered.simd_data_zone == "S01010206"


def test_register_leaves_deprivation_unknown_for_an_unknown_postcode(practice_a, clp_a):
    _simd("G21 1AA", decile=1, quintile=1)

    registered = participant_register(
        user=clp_a, participant=_unsaved(practice_a, clp_a, postcode="G22 5AB")
    )

    registered.refresh_from_db()
    assert registered.simd_decile is None
    assert registered.simd_quintile is None
    assert registered.simd_data_zone == ""


def test_register_with_no_postcode_leaves_deprivation_unknown(practice_a, clp_a):
    _simd("G21 1AA", decile=1, quintile=1)

    registered = participant_register(
        user=clp_a, participant=_unsaved(practice_a, clp_a, postcode="")
    )

    assert (registered.simd_decile, registered.simd_quintile) == (None, None)


def test_changing_the_postcode_looks_deprivation_up_again(practice_a, clp_a):
    _simd("G21 1AA", decile=1, quintile=1)
    _simd("EH1 1AA", decile=9, quintile=5, data_zone="S01008677")
    registered = participant_register(user=clp_a, participant=_unsaved(practice_a, clp_a))

    registered.postcode = "EH1 1AA"
    participant_update(
        user=clp_a, participant=registered, changed=["postcode"], version=registered.version
    )

    registered.refresh_from_db()
    assert (registered.simd_decile, registered.simd_quintile) == (9, 5)
    assert registered.simd_data_zone == "S01008677"
    assert registered.version == 2

    registered.postcode = "G22 5AB"
    participant_update(
        user=clp_a, participant=registered, changed=["postcode"], version=registered.version
    )
    registered.refresh_from_db()
    assert (registered.simd_decile, registered.simd_quintile) == (None, None)
    assert registered.simd_data_zone == ""
