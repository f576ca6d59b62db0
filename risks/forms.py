import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iso.models import OrgUnit, User
from processes.models import Procedure

from .models import Band, Risk, RiskScale

#: A new risk, and a reassessed one, is next reviewed this many days later unless told otherwise.
DEFAULT_REVIEW_DAYS = 180


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.unit})" if obj.unit_id else obj.get_full_name()


def _people():
    return User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "full_name")


def _blank(choices) -> list:
    return [("", "---------"), *choices]


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or title"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(Risk.Kind.choices), required=False)
    band = forms.ChoiceField(label=_("Level"), choices=_blank(Band.choices), required=False)
    state = forms.ChoiceField(label=_("State"), choices=_blank(Risk.State.choices), required=False)
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    mine = forms.BooleanField(label=_("Only the risks I own"), required=False)
    # Set by a cell of the heat map; shown as the cell's filter, not as inputs.
    likelihood = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    impact = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class _RatingFields(forms.Form):
    """Likelihood and impact as choices from 1 to the size of the scale."""

    def __init__(self, *args, scale: RiskScale, **kwargs):
        super().__init__(*args, **kwargs)
        for name, names in (("likelihood", scale.likelihood_names()), ("impact", scale.impact_names())):
            if name in self.fields:
                choices = [(point, f"{point} — {label}" if label else str(point)) for point, label in zip(scale.points(), names, strict=True)]
                self.fields[name].choices = [*([("", "---------")] if not self.fields[name].required else []), *choices]


class RiskForm(_RatingFields):
    """A new risk or opportunity; rating it at once is optional."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Risk.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label=_("Source"), choices=Risk.Source.choices)
    source_detail = forms.CharField(
        label=_("Source in words"), max_length=300, required=False,
        help_text=_("The issue, process or interested party it comes from, as the context document names it."),
    )
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.order_by("code"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.filter(is_active=True))
    owner = _UserChoiceField(label=_("Owner"), queryset=_people())
    treatment = forms.ChoiceField(label=_("Treatment"), choices=_blank(Risk.Treatment.choices), required=False)
    review_date = forms.DateField(label=_("Next review"), widget=_date_input())
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), coerce=int, required=False, empty_value=None)
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Why this rating"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_user(cls, data, *, user: User, scale: RiskScale) -> "RiskForm":
        initial = {
            "owner": user.pk, "unit": user.unit_id,
            "review_date": timezone.localdate() + datetime.timedelta(days=DEFAULT_REVIEW_DAYS),
        }
        return cls(data, initial=initial, scale=scale)


class RiskEditForm(forms.ModelForm):
    owner = _UserChoiceField(label=_("Owner"), queryset=_people())

    class Meta:
        model = Risk
        fields = ["kind", "title", "description", "source", "source_detail", "procedure", "unit", "owner", "treatment"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AssessmentForm(_RatingFields):
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_date_input(), required=False,
                                  help_text=_("Leave empty for today."))
    next_review = forms.DateField(label=_("Next review"), widget=_date_input())
    note = forms.CharField(label=_("What changed, and why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_risk(cls, data, *, risk: Risk, scale: RiskScale) -> "AssessmentForm":
        initial = {
            "likelihood": risk.likelihood, "impact": risk.impact,
            "next_review": timezone.localdate() + datetime.timedelta(days=DEFAULT_REVIEW_DAYS),
        }
        return cls(data, initial=initial, scale=scale)


class ActionPlanForm(forms.Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = _UserChoiceField(label=_("Owner"), queryset=_people())
    due_date = forms.DateField(label=_("Due date"), widget=_date_input())


class ScaleForm(forms.ModelForm):
    class Meta:
        model = RiskScale
        fields = ["size", "medium_from", "high_from", "critical_from", "likelihood_labels", "impact_labels"]
        widgets = {"likelihood_labels": forms.Textarea(attrs={"rows": 5}), "impact_labels": forms.Textarea(attrs={"rows": 5})}
