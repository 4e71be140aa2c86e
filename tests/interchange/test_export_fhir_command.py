import json

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B.bundle import Bundle

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_it_writes_one_parsing_bundle_per_participant_of_the_practice(
    admin_user, full_record, participant_b, tmp_path
):
    call_command(
        "export_fhir", str(tmp_path), practice=full_record.practice.code, user=admin_user.username
    )

    (path,) = tmp_path.iterdir()
    assert path.name == f"{full_record.ref}.json"
    assert path.stat().st_mode & 0o077 == 0
    Bundle.model_validate(json.loads(path.read_text()))
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, participant_ref=full_record.ref, user=admin_user
    ).exists()


@pytest.mark.parametrize("who", ["clp_a", "manager_a", "lead"])
def test_only_administrators_may_export_a_practice(request, participant_a, tmp_path, who):
    user = request.getfixturevalue(who)

    with pytest.raises(CommandError, match="not an active administrator"):
        call_command(
            "export_fhir",
            str(tmp_path / "out"),
            practice=participant_a.practice.code,
            user=user.username,
        )
    assert not (tmp_path / "out").exists()


def test_an_unknown_practice_is_refused(admin_user, tmp_path):
    with pytest.raises(CommandError, match="no practice with code"):
        call_command("export_fhir", str(tmp_path), practice="99999", user=admin_user.username)
