"""Forms of the programme lead's screens. They parse input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from practices.models import Practice, StaffRole, StaffSurveyRound
from programme.services import ProgrammeRole


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["name", "code", "health_board", "deep_end", "list_size", "joined_on"]
        widgets = {"joined_on": DateInput()}

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean() or {}
        joined = cleaned.get("joined_on")
        left = self.instance.left_on
        if joined and left and joined > left:
            self.add_error("joined_on", "A practice cannot join after the date it left.")
        return cleaned


class PracticeLeaveForm(forms.Form):
    left_on = forms.DateField(label="Left the programme on", widget=DateInput())

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_left_on(self):
        value = self.cleaned_data["left_on"]
        if value < self.practice.joined_on:
            raise ValidationError(
                f"The practice joined on {self.practice.joined_on:%-d %b %Y}; it cannot "
                "leave before that."
            )
        return value


class PracticeChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class InviteForm(forms.Form):
    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(label="Email address")
    practices = PracticeChoices(
        queryset=Practice.objects.none(),
        required=False,
        help_text="Only practices in the programme are listed.",
    )
    role = forms.ChoiceField(
        label="Role at these practices",
        choices=[("", "—"), *StaffRole.choices],
        required=False,
    )
    started_on = forms.DateField(label="Starts on", widget=DateInput())
    programme_role = forms.ChoiceField(
        label="Programme role",
        choices=[
            (ProgrammeRole.NONE, "None"),
            (ProgrammeRole.LEAD, "Programme lead"),
            (ProgrammeRole.ADMINISTRATOR, "Administrator"),
        ],
        required=False,
        help_text="Only administrators can create these accounts.",
    )

    def __init__(self, *args, may_grant: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practices"].queryset = Practice.objects.in_programme()  # type: ignore[attr-defined]
        self.initial.setdefault("started_on", timezone.localdate())
        if not may_grant:
            del self.fields["programme_role"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone already has an account with this address.")
        return email

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("practices") and not cleaned.get("role"):
            self.add_error("role", "Choose CLP or practice manager.")
        if not cleaned.get("practices") and not cleaned.get("programme_role"):
            self.add_error("practices", "Choose at least one practice.")
        return cleaned


class AttachForm(forms.Form):
    practice = forms.ModelChoiceField(queryset=Practice.objects.none())
    role = forms.ChoiceField(choices=StaffRole.choices)
    started_on = forms.DateField(label="Starts on", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Practice.objects.in_programme()  # type: ignore[attr-defined]
        self.initial.setdefault("started_on", timezone.localdate())


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AttachmentEndForm(forms.Form):
    on = forms.DateField(label="Last day", widget=DateInput())
    reassign_to = StaffChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who takes over their open cases",
        help_text="Another CLP at the practice. Needed when they still hold open cases.",
    )

    def __init__(self, *args, colleagues, needs_reassignment: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
        if needs_reassignment:
            self.fields["reassign_to"].queryset = colleagues  # type: ignore[attr-defined]
            self.fields["reassign_to"].required = True
        else:
            del self.fields["reassign_to"]


class SurveyRoundForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    closes_on = forms.DateField(label="Closes on", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if StaffSurveyRound.objects.filter(year=year).exists():
            raise ValidationError(f"There is already a round for {year}.")
        return year

    def clean_closes_on(self):
        value = self.cleaned_data["closes_on"]
        if value < timezone.localdate():
            raise ValidationError("The closing date must be today or later.")
        return value


YES_NO = [("yes", "Yes"), ("no", "No")]


class SurveyAnswerForm(forms.Form):
    """The two questions of the staff survey of the "links approach"."""

    wellbeing_activities = forms.ChoiceField(
        label="Do you take part in team-wellbeing activities at your practice?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    give_up_within_5y = forms.ChoiceField(
        label="Are you likely to give up direct patient care within the next five years?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    def answer(self, name: str) -> bool:
        return self.cleaned_data[name] == "yes"


class PaperAnswerForm(SurveyAnswerForm):
    practice = forms.ModelChoiceField(queryset=Practice.objects.none())

    field_order = ["practice", "wellbeing_activities", "give_up_within_5y"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Practice.objects.in_programme()  # type: ignore[attr-defined]
