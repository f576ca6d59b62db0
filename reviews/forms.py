from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from iso.models import Role, User

from .models import AnnualReport, Decision, ManagementReview


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewForm(forms.ModelForm):
    """The facts of the meeting, as the secretary plans it."""

    class Meta:
        model = ManagementReview
        fields = ["title", "period_start", "period_end", "meeting_at", "place", "chair", "secretary", "attendees", "guests"]
        widgets = {
            "period_start": _date_input(),
            "period_end": _date_input(),
            "meeting_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "attendees": forms.SelectMultiple(attrs={"size": 8}),
            "guests": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).order_by("full_name", "username")
        self.fields["chair"].queryset = people.filter(groups__name=Role.APPROVER).distinct()
        self.fields["secretary"].queryset = people
        self.fields["attendees"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The end of the period is before its start."))
        return data


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgendaItemAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    discussion = forms.CharField(label=_("Presentation and discussion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AgendaItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    discussion = forms.CharField(label=_("Presentation and discussion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.CharField(label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgendaMoveForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion of the chair"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Decision.Category.choices)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionEditForm(DecisionForm):
    decision = forms.IntegerField(widget=forms.HiddenInput)


class ReviewActionForm(forms.Form):
    decision = forms.ModelChoiceField(label=_("Decision carried out"), queryset=Decision.objects.none(), required=False)
    description = forms.CharField(label=pgettext_lazy("tracked action", "Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=_date_input())

    def __init__(self, *args, review: ManagementReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = review.decisions.order_by("number")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("full_name", "username")


class ReviewActionFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Mine"), required=False)
    open = forms.BooleanField(label=_("Not verified yet"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ["recipient", "proposals", "signer_title", "signer_name"]
        widgets = {"proposals": forms.Textarea(attrs={"rows": 6})}
