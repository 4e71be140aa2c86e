"""Forms for the CLP's working day. They parse and check input; services apply the rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from participants.chi import validate_chi
from participants.models import (
    EQ5D_DIMENSIONS,
    HADS_ITEMS,
    ONS4_ITEMS,
    WEMWBS_ITEMS,
    Assessment,
    Consultation,
    DischargeReason,
    FlagKind,
    Need,
    Participant,
    ParticipantNeed,
    RiskFlag,
    Timepoint,
)
from participants.postcodes import normalise_postcode
from participants.rules import (
    COMPANION_MISSING,
    DURATION_MISSING,
    duration_for,
    home_visit_needs_companion,
    require_not_in_future,
    validate_plausible_date,
)
from practices.access import clp_practices
from practices.models import Attachment, StaffRole


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's choice-of-records field, whose choices are narrowed per person."""
    return cast(forms.ModelChoiceField, form.fields[name])


class PlausibleDateField(forms.DateField):
    """A date field holding the one plausible range of every date (`participants.rules`)."""

    default_validators = [validate_plausible_date]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NeedChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Need) -> str:
        return f"{obj.name} ({obj.get_domain_display().lower()})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class CurrentNeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ParticipantNeed) -> str:
        return obj.need.name


class ParticipantForm(forms.ModelForm):
    """Registration and editing of a participant's details."""

    needs = NeedChoiceField(
        queryset=Need.objects.filter(active=True),
        required=False,
        help_text="The problems the person presents with now; you can change these later.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Longer than ten characters so that "123456 7890" reaches clean_chi, which drops spaces.
    chi = forms.CharField(
        label="CHI number",
        max_length=16,
        help_text="10 digits; spaces are ignored.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Participant
        fields = [
            "practice",
            "clp",
            "chi",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "postcode",
            "address",
            "phone",
            "email",
            "preferred_contact",
            "consent_given",
            "consent_on",
            "referred_on",
            "referred_by",
            "referral_reason",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "consent_on": DateInput(),
            "referred_on": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "referral_reason": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        field_classes = {"clp": StaffChoiceField}
        help_texts = {
            "consent_given": "The person agreed to their information being kept and shared "
            "as the programme's privacy notice describes. Leave it unticked if not recorded "
            "yet: they are registered with consent “Not recorded”, and can be referred to a "
            "community organisation once it is.",
        }

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.editing = editing
        practices = clp_practices(user)
        model_choices(self, "practice").queryset = practices
        model_choices(self, "clp").queryset = User.objects.filter(
            pk__in=Attachment.objects.current()
            .filter(role=StaffRole.CLP, practice__in=practices)
            .values("user_id"),
            is_active=True,
        )
        self.fields["clp"].label = "Assigned CLP"
        if not self.is_bound and not editing:
            self.initial.setdefault("clp", user.pk)
            self.initial.setdefault("referred_on", timezone.localdate())
            if practices.count() == 1:
                self.initial.setdefault("practice", practices.get().pk)
        if editing:
            del self.fields["needs"]
            self.initial["version"] = self.instance.version
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"

    def validate_unique(self):
        # A new registration with a known CHI number is not an error on the form: the view
        # takes the person to the record that already exists.
        if self.editing:
            super().validate_unique()

    def clean_chi(self) -> str:
        value = self.cleaned_data["chi"]
        digits = "".join(value.split())
        # Cross-checks with date of birth and sex happen in clean(), once those are parsed.
        validate_chi(digits)
        return digits

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "").strip()
        return normalise_postcode(value) if value else ""

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        require_not_in_future(value, "The date of birth")
        return value

    def clean_referred_on(self):
        value = self.cleaned_data["referred_on"]
        require_not_in_future(value, "The referral date")
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        chi, dob, sex = (cleaned.get(k) for k in ("chi", "date_of_birth", "sex"))
        if chi and dob and sex:
            try:
                validate_chi(chi, date_of_birth=dob, sex=sex)
            except ValidationError as error:
                self.add_error("chi", error)
        if cleaned.get("consent_given") and not cleaned.get("consent_on"):
            self.add_error("consent_on", "Give the date consent was recorded.")
        consent_on = cleaned.get("consent_on")
        if consent_on:
            try:
                require_not_in_future(consent_on, "The consent date")
            except ValidationError as error:
                self.add_error("consent_on", error)
        practice, clp = cleaned.get("practice"), cleaned.get("clp")
        if (
            practice
            and clp
            and not Attachment.objects.current()
            .filter(user=clp, practice=practice, role=StaffRole.CLP)
            .exists()
        ):
            self.add_error("clp", f"{clp.display_name} is not a CLP at {practice.name}.")
        dob, referred = cleaned.get("date_of_birth"), cleaned.get("referred_on")
        if dob and referred and referred < dob:
            self.add_error("referred_on", "The referral date is before the date of birth.")
        return cleaned


class ConsultationForm(forms.ModelForm):
    """Logging a consultation: defaults to today, the CLP themselves and their usual mode."""

    needs_discussed = NeedChoiceField(queryset=Need.objects.none(), required=False)
    next_contact_on = PlausibleDateField(
        label="Next contact", required=False, widget=DateInput(), help_text="Optional."
    )
    attended = forms.TypedChoiceField(
        choices=[("yes", "Attended"), ("no", "Did not attend")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )

    class Meta:
        model = Consultation
        fields = [
            "date",
            "attended",
            "mode",
            "duration_minutes",
            "needs_discussed",
            "goals",
            "goal_progress",
            "notes",
            "visited_with",
        ]
        widgets = {
            "date": DateInput(),
            "mode": forms.RadioSelect,
            "goals": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "duration_minutes": forms.NumberInput(attrs={"min": 0, "max": 480, "step": 5}),
        }

    confirm_not_alone = forms.BooleanField(
        label="I confirm I did not go on this home visit alone", required=False
    )

    def __init__(
        self,
        *args,
        participant: Participant,
        user: User,
        usual_mode: str,
        flagged_not_alone: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Asked only of participants flagged "do not visit alone", and only for home visits.
        self.flagged_not_alone = flagged_not_alone
        if flagged_not_alone:
            self.fields["visited_with"].help_text = "Needed for a home visit: name and role."
        else:
            del self.fields["visited_with"]
            del self.fields["confirm_not_alone"]
        current = participant.needs.filter(resolved_on__isnull=True).values("need_id")
        model_choices(self, "needs_discussed").queryset = Need.objects.filter(pk__in=current)
        self.fields["duration_minutes"].required = False
        self.fields["goal_progress"].required = False
        if not self.is_bound:
            self.initial.update(
                {"date": timezone.localdate(), "mode": usual_mode, "duration_minutes": 30}
            )

    def clean_date(self):
        value = self.cleaned_data["date"]
        require_not_in_future(value, "The consultation date")
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("attended") and cleaned.get("duration_minutes") in (None, ""):
            self.add_error("duration_minutes", DURATION_MISSING)
        cleaned["duration_minutes"] = duration_for(
            attended=cleaned.get("attended"), duration_minutes=cleaned.get("duration_minutes")
        )
        next_on, on = cleaned.get("next_contact_on"), cleaned.get("date")
        if next_on and on and next_on < on:
            self.add_error("next_contact_on", "The next contact is before this consultation.")
        if home_visit_needs_companion(
            mode=cleaned.get("mode"), flagged_not_alone=self.flagged_not_alone
        ):
            if not (cleaned.get("visited_with") or "").strip():
                self.add_error("visited_with", COMPANION_MISSING)
            if not cleaned.get("confirm_not_alone"):
                self.add_error("confirm_not_alone", "Confirm that you did not go alone.")
        return cleaned


class CloseCaseForm(forms.Form):
    on = PlausibleDateField(label="Closed on", widget=DateInput())
    reason = forms.ChoiceField(label="Discharge reason", choices=DischargeReason.choices)
    note = forms.CharField(max_length=255, required=False, label="Note (optional)")

    def clean_on(self):
        value = self.cleaned_data["on"]
        require_not_in_future(value, "The closing date")
        return value


class ReopenCaseForm(forms.Form):
    note = forms.CharField(max_length=255, required=False, label="Why is the case reopening?")


class NeedsForm(forms.Form):
    add = NeedChoiceField(queryset=Need.objects.none(), required=False, label="Add needs")
    resolve = CurrentNeedChoiceField(
        queryset=ParticipantNeed.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Resolved",
    )
    on = PlausibleDateField(label="As of", widget=DateInput())

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        current = participant.needs.filter(resolved_on__isnull=True).select_related("need")
        model_choices(self, "resolve").queryset = current
        model_choices(self, "add").queryset = Need.objects.filter(active=True).exclude(
            pk__in=current.values("need_id")
        )
        if not self.is_bound:
            self.initial["on"] = timezone.localdate()

    def clean_on(self):
        value = self.cleaned_data["on"]
        require_not_in_future(value, "The date")
        return value


def _item_widget(low: int, high: int) -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"min": low, "max": high, "inputmode": "numeric", "class": "item-input"}
    )


class AssessmentForm(forms.ModelForm):
    """Item scores as marked on each instrument's scoring key; blanks mean unanswered."""

    class Meta:
        model = Assessment
        fields = [
            "timepoint",
            "date",
            *HADS_ITEMS,
            "exercise_days",
            *EQ5D_DIMENSIONS,
            "eq5d_vas",
            *WEMWBS_ITEMS,
            *ONS4_ITEMS,
        ]
        widgets = {
            "date": DateInput(),
            **{name: _item_widget(0, 3) for name in HADS_ITEMS},
            "exercise_days": _item_widget(0, 7),
            **{name: _item_widget(1, 5) for name in EQ5D_DIMENSIONS},
            "eq5d_vas": _item_widget(0, 100),
            **{name: _item_widget(1, 5) for name in WEMWBS_ITEMS},
            **{name: _item_widget(0, 10) for name in ONS4_ITEMS},
        }

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        taken = set(participant.assessments.values_list("timepoint", flat=True))
        if self.instance.pk:
            self.fields["timepoint"].disabled = True
        elif not self.is_bound:
            self.initial["date"] = timezone.localdate()
            self.initial["timepoint"] = (
                Timepoint.FOLLOW_UP if Timepoint.BASELINE in taken else Timepoint.BASELINE
            )
        for number, name in enumerate(HADS_ITEMS, start=1):
            self.fields[name].label = f"Item {number}"
        for number, name in enumerate(WEMWBS_ITEMS, start=1):
            self.fields[name].label = f"Item {number}"

    def clean_date(self):
        value = self.cleaned_data["date"]
        require_not_in_future(value, "The assessment date")
        return value

    def clean_timepoint(self):
        value = self.cleaned_data["timepoint"]
        if self.instance.pk:
            return self.instance.timepoint
        if self.participant.assessments.filter(timepoint=value).exists():
            raise ValidationError(
                f"This participant already has a {Timepoint(value).label.lower()} assessment; "
                "open it from the timeline to change it."
            )
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        timepoint, on = cleaned.get("timepoint"), cleaned.get("date")
        assessments = self.participant.assessments.all()
        if self.instance.pk:
            assessments = assessments.exclude(pk=self.instance.pk)
        others = {a.timepoint: a for a in assessments}
        if timepoint == Timepoint.FOLLOW_UP:
            baseline = others.get(Timepoint.BASELINE)
            if baseline is None:
                self.add_error("timepoint", "Record the baseline assessment first.")
            elif on and on <= baseline.date:
                self.add_error("date", "The follow-up must be after the baseline assessment.")
        if timepoint == Timepoint.BASELINE:
            follow_up = others.get(Timepoint.FOLLOW_UP)
            if follow_up is not None and on and on >= follow_up.date:
                self.add_error("date", "The baseline must be before the follow-up assessment.")
        return cleaned


class RiskFlagForm(forms.ModelForm):
    class Meta:
        model = RiskFlag
        fields = ["kind", "reason", "review_on"]
        labels = {"kind": "Flag", "reason": "Why this flag is needed"}
        widgets = {
            "kind": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
            "review_on": DateInput(),
        }
        help_texts = {"review_on": "Optional: when the flag should be looked at again."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = FlagKind.choices

    def clean_review_on(self):
        value = self.cleaned_data["review_on"]
        if value is not None and value < timezone.localdate():
            raise ValidationError("The review date cannot be in the past.")
        return value


class EndRiskFlagForm(forms.Form):
    note = forms.CharField(max_length=255, label="Why is this flag ending?")
