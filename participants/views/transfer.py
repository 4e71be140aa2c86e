from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.access import get_participant_for
from participants.services import ConcurrentEdit, participant_transfer, transfer_destinations
from participants.views.common import audit_page
from practices.models import Attachment
from practices.roles import caseload_required


class DestinationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Attachment) -> str:
        return f"{obj.practice.name} — {obj.user.display_name}"


class TransferForm(forms.Form):
    destination = DestinationField(
        queryset=Attachment.objects.none(),
        label="New practice and CLP",
        empty_label="Choose the practice and the CLP there",
        help_text="Practices that have left the programme are not listed.",
    )


@caseload_required
@require_http_methods(["GET", "POST"])
def transfer(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    """A CLP or practice manager of the practice that holds the record sends it, whole, to
    the practice the person moved to."""
    participant = get_participant_for(request.user, ref)
    form = TransferForm(request.POST or None)
    form.fields["destination"].queryset = transfer_destinations(participant)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        destination: Attachment = form.cleaned_data["destination"]
        try:
            participant_transfer(
                user=request.user,
                request=request,
                participant=participant,
                practice=destination.practice,
                clp=destination.user,
            )
        except ConcurrentEdit:
            form.add_error(None, "The record changed while you were here. Please try again.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{participant.ref} now belongs to {destination.practice.name}, with "
                f"{destination.user.display_name} as their CLP.",
            )
            return redirect("participants:caseload")
    audit_page(request, participant, "transfer")
    return render(request, "participants/transfer.html", {"form": form, "participant": participant})
