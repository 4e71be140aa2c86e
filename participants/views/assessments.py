from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.forms import AssessmentForm
from participants.models import Assessment
from participants.selectors import participant_outcomes
from participants.services import assessment_record
from participants.views.common import audit_page, editable_participant
from practices.roles import clp_required


def _assessment_of(participant, pk: int | None) -> Assessment | None:
    if pk is None:
        return None
    try:
        return participant.assessments.get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


@clp_required
@require_http_methods(["GET", "POST"])
def record_assessment(
    request: AuthenticatedHttpRequest, ref: str, pk: int | None = None
) -> HttpResponse:
    participant = editable_participant(request, ref)
    assessment = _assessment_of(participant, pk)
    form = AssessmentForm(request.POST or None, instance=assessment, participant=participant)
    if request.method == "POST" and form.is_valid():
        assessment = form.save(commit=False)
        assessment.participant = participant
        try:
            assessment_record(user=request.user, request=request, assessment=assessment)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{assessment.get_timepoint_display()} assessment saved.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "edit assessment" if pk else "new assessment")
    return render(
        request,
        "participants/assessment_form.html",
        {
            "form": form,
            "participant": participant,
            "assessment": assessment,
            **participant_outcomes(participant=participant),
        },
    )
