"""The two management commands: import_programme (with --dry-run) and export_programme,
which only an active administrator may run, and which is audited."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Action, AuditEvent
from exchange import reading
from participants.models import Participant
from tests.exchange.conftest import set_cell, snapshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", is_programme_lead=True)


def test_import_loads_the_files_in_a_directory_and_prints_what_changed(tmp_path, base_files, lead):
    directory = _write(tmp_path / "in", base_files)
    out, _ = _run("import_programme", str(directory), "--user", "lead")
    assert out.splitlines() == [
        "file                      new  changed  unchanged",
        "practices.csv               2        0          0",
        "staff.csv                   3        0          0",
        "resources.csv               2        0          0",
        "participants.csv            2        0          0",
        "consultations.csv           2        0          0",
        "referrals.csv               1        0          0",
        "assessments.csv             1        0          0",
        "staff_survey.csv            2        0          0",
        "Imported: 15 rows new or changed.",
    ]
    assert Participant.objects.count() == 2


def test_a_dry_run_prints_the_preview_and_writes_nothing(tmp_path, base_files, lead):
    directory = _write(tmp_path / "in", base_files)
    before = snapshot()
    out, _ = _run("import_programme", str(directory), "--dry-run", "--user", "lead")
    assert "participants.csv            2        0          0" in out
    assert out.splitlines()[-1] == "Dry run: nothing was written."
    assert snapshot() == before


def test_import_lists_every_problem_and_exits_non_zero_writing_nothing(tmp_path, base_files, lead):
    files = set_cell(base_files, "staff_survey.csv", 3, "year", "1999")
    files = set_cell(files, "participants.csv", 2, "sex", "f")
    directory = _write(tmp_path / "in", files)
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 problems found: nothing was imported\."):
        call_command(
            "import_programme", str(directory), "--user", "lead", stdout=StringIO(), stderr=err
        )
    assert err.getvalue().splitlines() == [
        "participants.csv:2: sex: must be one of: female, male, other, not_known",
        "staff_survey.csv:3: year: must be a whole number from 2000 to 2100",
    ]
    assert snapshot() == before


def test_import_skips_absent_files_and_refuses_an_empty_directory(tmp_path, base_files):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match=r"There are no \.csv files"):
        _run("import_programme", str(tmp_path / "empty"))
    directory = _write(tmp_path / "in", {"practices.csv": base_files["practices.csv"]})
    out, _ = _run("import_programme", str(directory))
    assert out.splitlines()[1:] == [
        "practices.csv               2        0          0",
        "Imported: 2 rows new or changed.",
    ]


def test_import_refuses_a_user_who_may_not_import(tmp_path, base_files, clp_a):
    directory = _write(tmp_path / "in", base_files)
    with pytest.raises(CommandError, match="clp_a is not an active programme lead"):
        _run("import_programme", str(directory), "--user", "clp_a")


def test_export_refuses_anyone_but_an_active_administrator(tmp_path, lead, clp_a):
    UserFactory(username="retired", is_superuser=True, is_active=False)
    for username in ("lead", "clp_a", "retired", "nobody"):
        with pytest.raises(CommandError, match="is not an active administrator"):
            _run("export_programme", str(tmp_path / "out"), "--user", username)
    assert not (tmp_path / "out").exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_needs_to_be_told_who_is_exporting(tmp_path):
    with pytest.raises(CommandError, match="--user"):
        _run("export_programme", str(tmp_path / "out"))


def test_export_writes_every_file_readable_only_by_its_owner_and_audits_it(
    tmp_path, programme, admin_user
):
    out, _ = _run("export_programme", str(tmp_path / "out"), "--user", admin_user.username)
    assert out == f"Wrote 8 files to {tmp_path / 'out'}.\n"
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == sorted(
        [
            "practices.csv",
            "staff.csv",
            "resources.csv",
            "participants.csv",
            "consultations.csv",
            "referrals.csv",
            "assessments.csv",
            "staff_survey.csv",
        ]
    )
    assert os.stat(tmp_path / "out" / "participants.csv").st_mode & 0o777 == 0o600
    summary = AuditEvent.objects.get(action=Action.EXPORT, object_type="")
    assert summary.user == admin_user
    assert summary.detail.startswith("programme data export: practices.csv 2, staff.csv 4")
    assert sorted(
        AuditEvent.objects.filter(action=Action.EXPORT, object_type="participant").values_list(
            "participant_ref", flat=True
        )
    ) == ["P2001", "P999"]


def test_export_then_import_with_the_commands_round_trips(tmp_path, programme, admin_user):
    _run("export_programme", str(tmp_path / "out"), "--user", admin_user.username)
    out, _ = _run("import_programme", str(tmp_path / "out"), "--dry-run")
    assert out.splitlines()[-2:] == [
        "staff_survey.csv            0        0          4",
        "Dry run: nothing was written.",
    ]


def test_import_lists_the_first_problems_and_counts_the_rest(
    tmp_path, base_files, lead, monkeypatch
):
    """A file of a million bad rows is not a million messages in memory: the first ones (in
    file and line order) are listed, the others counted."""
    monkeypatch.setattr(reading, "PROBLEMS_KEPT", 1)
    files = set_cell(base_files, "staff_survey.csv", 3, "year", "1999")
    files = set_cell(files, "participants.csv", 2, "sex", "f")
    directory = _write(tmp_path / "in", files)
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 problems found: nothing was imported\."):
        call_command(
            "import_programme", str(directory), "--user", "lead", stdout=StringIO(), stderr=err
        )
    assert err.getvalue().splitlines() == [
        "participants.csv:2: sex: must be one of: female, male, other, not_known",
        "… and 1 more.",
    ]
    assert not Participant.objects.exists()
