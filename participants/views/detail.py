from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.http import AuthenticatedHttpRequest, short_dates
from accounts.rows import render_rows
from audit.models import Action
from audit.services import audit_record
from participants.access import (
    can_edit_participant,
    can_manage_flags,
    can_read_flag_reasons,
    can_read_notes,
    get_participant_for,
)
from participants.selectors import participant_flags, participant_record
from referrals.selectors import referrals_for_participant


@login_required
def participant_detail(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    # No role gate: the scoped lookup answers 404 for anyone the record is not visible to.
    participant = get_participant_for(request.user, ref)
    audit_record(request=request, action=Action.VIEW, obj=participant)
    record = participant_record(participant=participant)
    flags = participant_flags(participant=participant)
    short = short_dates()  # each entry's date once, the month's name once a page
    timeline = [(entry, short(entry.on)) for entry in record.timeline]
    show_notes = can_read_notes(request.user, participant)
    can_edit = can_edit_participant(request.user, participant)

    def assessment(pk: int) -> str:  # a participant has two or three assessments
        return reverse("participants:edit_assessment", args=[participant.ref, pk])

    items = render_rows(
        "participants/timeline.jinja",
        {
            "timeline": timeline,
            "show_notes": show_notes,
            "can_edit": can_edit,
            "assessment_url": assessment,
        },
    )
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "timeline": timeline,
            "timeline_items": items,
            "summary": record.summary,
            "show_notes": show_notes,
            "can_edit": can_edit,
            "active_flags": flags.active,
            "ended_flags": flags.ended,
            "show_flag_reasons": can_read_flag_reasons(request.user, participant),
            "can_manage_flags": can_manage_flags(request.user, participant),
            "referrals": referrals_for_participant(participant=participant, user=request.user),
        },
    )
