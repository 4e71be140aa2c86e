from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.forms import ConsultationForm
from participants.models import RiskFlag
from participants.selectors import usual_mode_of
from participants.services import consultation_log, flagged_do_not_visit_alone
from participants.views.common import audit_page, editable_participant
from practices.roles import clp_required


@clp_required
@require_http_methods(["GET", "POST"])
def log_consultation(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = ConsultationForm(
        request.POST or None,
        participant=participant,
        user=request.user,
        usual_mode=usual_mode_of(user=request.user),
        flagged_not_alone=flagged_do_not_visit_alone(participant=participant),
    )
    if request.method == "POST" and form.is_valid():
        consultation = form.save(commit=False)
        consultation.participant = participant
        consultation.clp = request.user
        try:
            consultation_log(
                user=request.user,
                request=request,
                consultation=consultation,
                needs_discussed=form.cleaned_data["needs_discussed"],
                next_contact_on=form.cleaned_data["next_contact_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Consultation logged.")
            return redirect("participants:detail", ref=participant.ref)
    flags = RiskFlag.objects.active().filter(participant=participant).order_by("kind")
    audit_page(request, participant, "new consultation")
    return render(
        request,
        "participants/consultation_form.html",
        {"form": form, "participant": participant, "flags": flags},
    )
