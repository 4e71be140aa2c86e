"""Risk flags, safeguarding concerns and who went on a home visit never leave the system
in the programme data files."""

from exchange.exporter import programme_export
from exchange.formats import FILE_NAMES, FILES
from tests.factories import ConcernFactory, ConsultationFactory, RiskFlagFactory


def test_no_file_carries_flags_or_concerns():
    assert not any("flag" in name or "concern" in name for name in FILE_NAMES)
    columns = {column.name for spec in FILES for column in spec.columns}
    assert not {c for c in columns if "flag" in c or "concern" in c or "visited_with" in c}


def test_the_export_holds_no_reason_concern_or_companion(admin_user, participant_a):
    RiskFlagFactory(participant=participant_a, reason="Flag reason text")
    ConcernFactory(participant=participant_a, what_happened="Concern body text")
    ConsultationFactory(participant=participant_a, mode="home", visited_with="Companion Name")
    files = programme_export(user=admin_user)
    everything = b"".join(files.values())
    for secret in [b"Flag reason text", b"Concern body text", b"Companion Name"]:
        assert secret not in everything
