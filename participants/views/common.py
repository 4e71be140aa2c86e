from accounts.http import AuthenticatedHttpRequest
from participants.access import get_participant_for, participants_editable_by
from participants.models import Participant


def editable_participant(request: AuthenticatedHttpRequest, ref: str) -> Participant:
    """The participant if this user may change their record; 404 otherwise."""
    return get_participant_for(request.user, ref, queryset=participants_editable_by(request.user))
