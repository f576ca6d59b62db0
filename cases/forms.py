from django import forms
from django.utils.translation import gettext_lazy as _

from iso.models import OrgUnit, User
from processes.models import Procedure, ProcedureRevision

from .models import Case


def _procedures_in_force():
    return Procedure.objects.filter(revisions__state=ProcedureRevision.State.EFFECTIVE).order_by("code")


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.unit})" if obj.unit_id else obj.get_full_name()


def _people():
    return User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "full_name")


class CaseIntakeForm(forms.Form):
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=_procedures_in_force())
    applicant_name = forms.CharField(label=_("Applicant"), max_length=200)
    applicant_kind = forms.ChoiceField(label=_("Applicant is a"), choices=Case.ApplicantKind.choices)
    applicant_contact = forms.CharField(label=_("Contact (phone, e-mail, address)"), max_length=300, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Case.Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    assignee = _UserChoiceField(label=_("Handled by"), queryset=_people(), required=False,
                                help_text=_("Leave empty to keep the case yourself."))


class CaseMoveForm(forms.Form):
    to_step = forms.IntegerField(widget=forms.HiddenInput)
    assignee = _UserChoiceField(label=_("Hand to"), queryset=_people(), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupplementRequestForm(forms.Form):
    missing = forms.CharField(label=_("Everything missing from the dossier"), widget=forms.Textarea(attrs={"rows": 3}))


class ApologyForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 2}))
    new_due_at = forms.DateTimeField(label=_("New appointment"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Dossier code or applicant"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", "---------"), *Case.State.choices], required=False)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.order_by("code"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)
    late = forms.BooleanField(label=_("Late only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)


class IndicatorFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.order_by("code"), required=False)
    start = forms.DateField(label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
