from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iso.models import OrgUnit
from processes.models import Procedure

from .models import Feedback

#: The scale as the applicant reads it, from the lowest score to the highest.
SCORES = [
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
]


class KioskIdentifyForm(forms.Form):
    """The two things printed on the receipt."""

    case = forms.CharField(
        label=_("Dossier code"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "placeholder": "QT-01-260105-0001"}),
    )
    code = forms.CharField(
        label=_("Code for rating, from the receipt"), max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "placeholder": "XXXXX-XXXXX"}),
    )


class FeedbackForm(forms.Form):
    """A score from 1 to 5 for each criterion asked (a criterion left empty is not rated), a
    comment, and whether it is a complaint."""

    comment = forms.CharField(
        label=_("Your comment or suggestion"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_complaint = forms.BooleanField(
        label=_("This is a complaint: I ask the agency to look into what went wrong"), required=False,
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                label=criterion.question_label, choices=SCORES, coerce=int, required=False,
                widget=forms.RadioSelect, empty_value=None,
            )

    @staticmethod
    def field_name(criterion) -> str:
        return f"criterion_{criterion.pk}"

    def score_fields(self):
        """The bound field of each criterion, in order, with its criterion."""
        return [(criterion, self[self.field_name(criterion)]) for criterion in self.criteria]

    def clean(self):
        data = super().clean()
        if not any(data.get(self.field_name(c)) for c in self.criteria):
            raise forms.ValidationError(_("Rate at least one criterion."))
        if data.get("is_complaint") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what the complaint is about in the comment."))
        return data

    @property
    def scores(self) -> dict[int, int]:
        """Criterion id → score, for the criteria rated."""
        return {
            c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria if self.cleaned_data.get(self.field_name(c))
        }


class PaperFeedbackForm(FeedbackForm):
    """A paper form typed in by staff: as the kiosk's, with the date written on the form."""

    given_on = forms.DateField(
        label=_("Date on the form"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    field_order = ["given_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Comment written on the form")
        self.fields["is_complaint"].label = _("The applicant ticked the complaint box, or the comment is a complaint")


class SatisfactionFilterForm(forms.Form):
    start = forms.DateField(label=_("Feedback given from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.order_by("code"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data


class FeedbackFilterForm(SatisfactionFilterForm):
    q = forms.CharField(label=_("Dossier code"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "---------"), *Feedback.Channel.choices], required=False)
    complaints = forms.BooleanField(label=_("Complaints only"), required=False)
    field_order = ["q", "start", "end", "unit", "procedure", "channel", "complaints"]


