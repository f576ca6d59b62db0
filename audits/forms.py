from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from iso import forms as iso_forms
from iso.models import Clause, OrgUnit, User
from iso.uploads import UploadField
from iso.versioning import EditVersionForm
from processes.models import Procedure

from .models import Audit, AuditProgramme, ChecklistItem, ChecklistTemplate, Finding, Nonconformity

#: The five whys of a root-cause analysis, one input each.
WHYS = 5


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.unit})" if obj.unit_id else obj.get_full_name()


class _UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.unit})" if obj.unit_id else obj.get_full_name()


def _people():
    return User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "full_name")


def _auditors():
    """People who may conduct audits: members of a role holding ``audits.conduct_audit``."""
    may_audit = Q(groups__permissions__codename="conduct_audit", groups__permissions__content_type__app_label="audits")
    return _people().filter(may_audit | Q(is_superuser=True)).distinct()


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = AuditProgramme
        fields = ["year", "title", "objectives", "excluded_clauses"]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "excluded_clauses": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {"excluded_clauses": _("Clauses outside the scope of the quality system; coverage leaves them out.")}


class AuditPlanForm(forms.ModelForm):
    lead_auditor = _UserChoiceField(label=_("Lead auditor"), queryset=_auditors())
    team = _UsersChoiceField(
        label=_("Audit team"), queryset=_auditors(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    class Meta:
        model = Audit
        fields = [
            "reference", "title", "units", "procedures", "clauses", "criteria", "planned_start", "planned_end",
            "lead_auditor", "team",
        ]
        widgets = {
            "units": forms.SelectMultiple(attrs={"size": 6}),
            "procedures": forms.SelectMultiple(attrs={"size": 6}),
            "clauses": forms.SelectMultiple(attrs={"size": 10}),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "planned_start": _date_input(),
            "planned_end": _date_input(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = OrgUnit.objects.filter(is_active=True)
        self.fields["procedures"].queryset = Procedure.objects.order_by("code")


TransitionForm = iso_forms.TransitionForm


class AuditReportForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the report"), widget=forms.Textarea(attrs={"rows": 4}))


class ChecklistRecordForm(EditVersionForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Result"), choices=ChecklistItem.Result.choices)
    evidence = forms.CharField(label=_("Evidence seen"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistTemplateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Checklist template"), queryset=ChecklistTemplate.objects.select_related("clause", "procedure")
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Finding.Kind.choices)
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.order_by("code"), required=False)
    checklist_item = forms.ModelChoiceField(label=_("Checklist question"), queryset=ChecklistItem.objects.none(), required=False)
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}))
    auditee_representative = forms.CharField(label=_("Auditee representative"), max_length=200, required=False)
    owner = _UserChoiceField(
        label=_("Owner of the nonconformity"), queryset=_people(), required=False,
        help_text=_("For a nonconformity: who answers it, and by when."),
    )
    due_date = forms.DateField(label=_("Due date of the nonconformity"), required=False, widget=_date_input())

    def __init__(self, *args, audit: Audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = audit.units.all()
        self.fields["checklist_item"].queryset = audit.checklist_items.all()
        self.fields["checklist_item"].label_from_instance = lambda item: f"{item.position}. {item.question[:80]}"


class FindingResponseForm(EditVersionForm):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(label=_("Auditee's response"), widget=forms.Textarea(attrs={"rows": 2}))


class NonconformityFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or description"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", "---------"), *Nonconformity.State.choices], required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "---------"), *Nonconformity.Source.choices], required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", "---------"), *Nonconformity.Severity.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)


class NonconformityRaiseForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[c for c in Nonconformity.Source.choices if c[0] != Nonconformity.Source.INTERNAL_AUDIT],
        help_text=_("Nonconformities of internal audits are raised by recording a finding."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Nonconformity.Severity.choices, initial=Nonconformity.Severity.MINOR)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.filter(is_active=True))
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    detected_on = forms.DateField(label=_("Detected on"), required=False, widget=_date_input(),
                                  help_text=_("Leave empty for today."))
    owner = _UserChoiceField(label=_("Owner"), queryset=_people(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_input())


class AnalysisForm(EditVersionForm):
    correction = forms.CharField(label=_("Correction (immediate fix)"), widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to take the last answer of the five whys."),
    )
    extent = forms.CharField(label=_("Extent: does it exist elsewhere?"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, WHYS + 1):
            self.fields[f"why_{number}"] = forms.CharField(
                label=_("Why? (%(number)s)") % {"number": number}, required=False, max_length=500
            )
        # The whys read in order between the correction and the root cause.
        self.order_fields(["correction", *(f"why_{n}" for n in range(1, WHYS + 1)), "root_cause", "extent", "edit_version"])

    @classmethod
    def for_nonconformity(cls, nonconformity: Nonconformity) -> "AnalysisForm":
        initial = {"correction": nonconformity.correction, "root_cause": nonconformity.root_cause, "extent": nonconformity.extent}
        initial.update((f"why_{n}", why) for n, why in enumerate(nonconformity.whys[:WHYS], start=1))
        return cls(initial=initial, record=nonconformity)

    def analysis(self) -> dict:
        """The cleaned data as :func:`audits.services.nonconformity_analyse` takes it."""
        data = self.cleaned_data
        return {
            "correction": data["correction"],
            "root_cause": data["root_cause"],
            "extent": data["extent"],
            "whys": [data[f"why_{n}"] for n in range(1, WHYS + 1)],
            "edit_version": data["edit_version"],
        }


class AssignForm(EditVersionForm):
    owner = _UserChoiceField(label=_("Owner"), queryset=_people())
    due_date = forms.DateField(label=_("Due date"), widget=_date_input())


class ActionPlanForm(EditVersionForm):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = _UserChoiceField(label=_("Owner"), queryset=_people())
    due_date = forms.DateField(label=_("Due date"), widget=_date_input())


class ActionTransitionForm(iso_forms.ActionTransitionForm):
    reissue_due_date = forms.DateField(label=_("Due date of the reissued action"), required=False, widget=_date_input())


class EvidenceForm(forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput)
    file = UploadField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
