"""The README documents the format: every file and every column, from the one place the
format is defined, so a column added to `exchange.formats` without documentation fails."""

from pathlib import Path

from django.conf import settings

from exchange.formats import FILES

SECTION = "## Importing and exporting programme data"


def _section() -> str:
    text = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert SECTION in text
    return text.split(SECTION, 1)[1]


def test_the_readme_documents_every_file_and_every_column():
    section = _section()
    for spec in FILES:
        assert f"**`{spec.name}`**" in section
        part = section.split(f"**`{spec.name}`**", 1)[1].split("\n**`", 1)[0]
        for column in spec.column_names:
            if column.startswith("hads_"):
                assert "`hads_1` … `hads_14`" in part
            elif column.startswith("wemwbs_"):
                assert "`wemwbs_1` … `wemwbs_14`" in part
            else:
                assert f"`{column}`" in part, f"{spec.name}: {column} is not documented"


def test_the_readme_states_the_commands_and_the_all_or_nothing_rule():
    section = _section()
    assert "python manage.py import_programme DIR [--dry-run]" in section
    assert "python manage.py export_programme DIR --user USERNAME" in section
    assert "in one transaction or nothing at all" in section
    assert "file:line: column: message" in section
