from accounts.http import AuthenticatedHttpRequest
from audit.models import Action
from audit.services import audit_list_view, audit_record
from participants.access import get_participant_for, participants_editable_by
from participants.models import Participant
from participants.selectors import Worklist


def editable_participant(request: AuthenticatedHttpRequest, ref: str) -> Participant:
    """The participant if this user may change their record; 404 otherwise."""
    return get_participant_for(request.user, ref, queryset=participants_editable_by(request.user))


def audit_page(request: AuthenticatedHttpRequest, participant: Participant, page: str) -> None:
    """A page that shows who someone is, a form included, is a read of their record: the
    trail says who opened which page of whose record, as the participant's own page does."""
    audit_record(request=request, action=Action.VIEW, obj=participant, detail=page)


def audit_worklist(request: AuthenticatedHttpRequest, worklist: Worklist, *, page: str) -> None:
    """One event for a worklist (the CLP's, the practice's, or the home page's share of it),
    naming everyone on it; the follow-ups were loaded with their participants."""
    rows = [*worklist.overdue, *worklist.due_now, *worklist.due_soon]
    audit_list_view(request=request, page=page, refs=(f.participant.ref for f in rows))
