"""Forms for safeguarding concerns. They parse input; `safeguarding.services` applies the
rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.models import Concern, ConcernAbout, ConcernCategory, InitialAction


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["about", "category", "what_happened", "action_taken", "occurred_at"]
        labels = {"action_taken": "Action taken so far", "occurred_at": "When it was seen or said"}
        widgets = {
            "about": forms.RadioSelect,
            "what_happened": forms.Textarea(attrs={"rows": 5}),
            "action_taken": forms.RadioSelect,
            "occurred_at": DateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons need no empty choice: every concern has an answer to each.
        cast(forms.ChoiceField, self.fields["about"]).choices = ConcernAbout.choices
        cast(forms.ChoiceField, self.fields["action_taken"]).choices = InitialAction.choices
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "Choose a category"),
            *ConcernCategory.choices,
        ]
        if not self.is_bound:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value is not None and value > timezone.now():
            raise ValidationError("When it happened cannot be in the future.")
        return value


class ConcernActionForm(forms.Form):
    note = forms.CharField(
        label="Action taken", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConcernCloseForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome: why the concern can close",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
