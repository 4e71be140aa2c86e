"""The one-page letter to the GP, in plain words, rendered to PDF as the annual report is."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from interchange.selectors import ParticipantExport
from participants.selectors import outcome_rows


def letter_context(export: ParticipantExport) -> dict:
    rows = outcome_rows(baseline=export.baseline, follow_up=export.follow_up)
    return {
        "p": export.participant,
        "needs": [pn.need.name for pn in export.needs],
        "referrals": export.referrals,
        "outcomes": rows,
        "has_follow_up": export.follow_up is not None,
        "attended": export.attended_consultations,
        "today": timezone.localdate(),
    }


def render_letter_html(export: ParticipantExport) -> str:
    return render_to_string("interchange/gp_letter.html", letter_context(export))


def render_letter_pdf(export: ParticipantExport) -> bytes:
    # WeasyPrint loads Pango and its fonts on import: only a process that renders a letter
    # pays for it. (Not a cycle: it is a library.)
    from weasyprint import HTML

    return HTML(string=render_letter_html(export)).write_pdf()
