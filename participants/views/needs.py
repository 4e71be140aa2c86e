from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.forms import NeedsForm
from participants.services import needs_update
from participants.views.common import audit_page, editable_participant
from practices.roles import clp_required


@clp_required
@require_http_methods(["GET", "POST"])
def edit_needs(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    participant = editable_participant(request, ref)
    form = NeedsForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            needs_update(
                user=request.user,
                request=request,
                participant=participant,
                add=form.cleaned_data["add"],
                resolve=form.cleaned_data["resolve"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Needs updated.")
            return redirect("participants:detail", ref=participant.ref)
    audit_page(request, participant, "needs")
    return render(
        request, "participants/needs_form.html", {"form": form, "participant": participant}
    )
