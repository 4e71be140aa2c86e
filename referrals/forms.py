"""Forms for the directory, referrals and the organisation's feedback. They parse and
check input; services apply the rules."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from participants.forms import DateInput, PlausibleDateField, model_choices
from participants.models import Need, Participant
from participants.postcodes import normalise_postcode
from referrals import lifecycle
from referrals.models import Category, CommunityResource, Referral, ReferralStatus
from referrals.services import STARTING_STATUSES

_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ResourceForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one category."},
    )
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="For example https://www.example.org.uk",
    )

    class Meta:
        model = CommunityResource
        fields = [
            "organisation",
            "name",
            "description",
            "categories",
            "area",
            "address",
            "postcode",
            "phone",
            "email",
            "website",
            "how_to_refer",
            "opening_notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "how_to_refer": forms.Textarea(attrs={"rows": 3}),
            "opening_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "area": "The neighbourhood people know it by, such as Springburn or Govan.",
            "how_to_refer": "Who to contact and how: drop in, phone, a form to fill in.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inactive categories stay on the services that already have them.
        current = Q(pk__in=self.instance.categories.values("pk")) if self.instance.pk else Q()
        model_choices(self, "categories").queryset = Category.objects.filter(
            Q(active=True) | current
        )

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "").strip()
        return normalise_postcode(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value and not _PHONE.match(value):
            raise ValidationError(
                "Enter a phone number of digits and spaces, such as 0141 123 4567."
            )
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not any(cleaned.get(k) for k in ("phone", "email", "website", "address")):
            self.add_error(
                None,
                "Give at least one way to reach the service: phone, email, website or address.",
            )
        return cleaned


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Participant) -> str:
        return f"{obj.last_name}, {obj.first_name} ({obj.ref})"


class ResourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CommunityResource) -> str:
        return f"{obj.name} — {obj.organisation} ({obj.area})"


class ReferralForm(forms.Form):
    """A new referral. Participants are chosen by reference, never by database id."""

    participant = ParticipantChoiceField(
        queryset=Participant.objects.none(), to_field_name="ref", empty_label="Choose a person"
    )
    resource = ResourceChoiceField(
        queryset=CommunityResource.objects.none(), label="Service", empty_label="Choose a service"
    )
    status = forms.ChoiceField(
        label="What happened",
        choices=[
            (ReferralStatus.SUGGESTED, "Suggested the service to the person"),
            (ReferralStatus.REFERRED, "Referred the person to the organisation"),
        ],
        widget=forms.RadioSelect,
        initial=ReferralStatus.REFERRED,
        help_text="Referring shares who the person is with the organisation, so it needs "
        "their consent to share recorded on their details. Suggesting a service does not.",
    )
    on = PlausibleDateField(label="Date", widget=DateInput())
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(),
        required=False,
        label="Need it addresses",
        empty_label="Not linked to a need",
    )
    note = forms.CharField(
        label="Note for the organisation",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The organisation sees this through its feedback link. Keep it to what they "
        "need to welcome the person; no medical details.",
    )

    def __init__(self, *args, participants, resources, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "participant").queryset = participants
        model_choices(self, "resource").queryset = resources
        model_choices(self, "need").queryset = Need.objects.filter(active=True)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_status(self) -> str:
        value = self.cleaned_data["status"]
        if value not in STARTING_STATUSES:
            raise ValidationError("A new referral starts as suggested or referred.")
        return value

    def clean_on(self):
        value = self.cleaned_data["on"]
        if value > timezone.localdate():
            raise ValidationError("The referral date cannot be in the future.")
        return value


class LinkDeliveryForm(forms.Form):
    """How the organisation gets its feedback link: emailed by Links to the service's
    address or one the CLP types, or shown once for the CLP to send."""

    SERVICE, OTHER, COPY = "service", "other", "copy"

    delivery = forms.ChoiceField(label="Send the link", widget=forms.RadioSelect, required=False)
    email = forms.EmailField(
        label="Other email address",
        required=False,
        help_text="For example the person at the organisation you spoke to.",
    )

    def __init__(self, *args, service_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_email = service_email
        choices = [
            (self.OTHER, "Email it to another address"),
            (self.COPY, "Show me the link to send myself"),
        ]
        if service_email:
            choices.insert(0, (self.SERVICE, f"Email it to the service: {service_email}"))
        delivery_field = cast(forms.ChoiceField, self.fields["delivery"])
        delivery_field.choices = choices
        self.initial.setdefault("delivery", self.SERVICE if service_email else self.OTHER)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("delivery") == self.OTHER and not cleaned.get("email"):
            self.add_error("email", "Enter the address to email the link to.")
        return cleaned

    def send_to(self) -> str:
        """The address to email, or "" to show the link instead (also when nothing was
        chosen, as the page's earlier one-button form posted)."""
        delivery = self.cleaned_data.get("delivery")
        if delivery == self.SERVICE:
            return self.service_email
        if delivery == self.OTHER:
            return self.cleaned_data["email"]
        return ""


class StatusForm(forms.Form):
    """The next step for a referral. Closing has its own confirmation page."""

    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    on = PlausibleDateField(label="On", widget=DateInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=255)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, ReferralStatus(value).label)
            for value in lifecycle.next_statuses(referral.status)
            if value != ReferralStatus.CLOSED
        ]
        if not self.is_bound:
            self.initial["on"] = timezone.localdate()


class CloseForm(forms.Form):
    on = PlausibleDateField(label="Closed on", widget=DateInput())
    note = forms.CharField(label="Why is it closing? (optional)", required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["on"] = timezone.localdate()


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )


class FeedbackForm(forms.Form):
    """The organisation's answer: four yes/no questions and an optional comment."""

    attended = _yes_no("Did the person attend?")
    engaged = _yes_no("Did they engage with the service (take part, keep coming)?")
    appropriate = _yes_no("Was the referral appropriate for your service?")
    relevant = _yes_no("Was it relevant to what your service offers?")
    comment = forms.CharField(
        label="Anything else the CLP should know? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, first_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].label = f"Did {first_name} attend?"
        self.fields[
            "engaged"
        ].label = f"Did {first_name} engage with the service (take part, keep coming)?"

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("engaged") and cleaned.get("attended") is False:
            self.add_error("engaged", "Someone who did not attend cannot have engaged.")
        return cleaned
