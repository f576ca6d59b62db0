from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from iso.models import Clause, OrgUnit
from iso.uploads import UploadField, original_name
from iso.versioning import EditVersionModelForm

from .models import FormTemplate, Procedure, ProcedureRevision, RecordToKeep, Step, StepEdge


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Search code or title"), required=False)
    unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=OrgUnit.objects.all(), required=False)
    clause = forms.ModelChoiceField(
        label=_("Clause"), queryset=Clause.objects.all(), required=False, to_field_name="number"
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Procedure.Category.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("Revision state"), choices=[("", "---------"), *ProcedureRevision.State.choices], required=False
    )


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ["code", "title", "owner_unit", "category", "clauses"]
        widgets = {"clauses": forms.SelectMultiple(attrs={"size": 10})}


class RevisionContentForm(EditVersionModelForm):
    """Sections 1 to 5 of the revision, with the version the editor was opened at (iso/versioning.py)."""

    class Meta:
        model = ProcedureRevision
        fields = [
            "purpose", "scope", "references", "definitions", "content", "change_summary", "supplement_restarts_clock",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields[:6]}


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = [
            "position", "code", "name", "kind", "responsible_unit", "responsible_role", "time_limit", "time_unit", "forms",
        ]
        widgets = {"forms": forms.SelectMultiple(attrs={"size": 3}), "position": forms.NumberInput(attrs={"class": "narrow"})}

    def __init__(self, *args, revision: ProcedureRevision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forms"].queryset = revision.forms.all()


class StepEdgeForm(forms.ModelForm):
    class Meta:
        model = StepEdge
        fields = ["source", "target", "action"]

    def __init__(self, *args, revision: ProcedureRevision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = revision.steps.all()
        self.fields["target"].queryset = revision.steps.all()


StepFormSet = inlineformset_factory(ProcedureRevision, Step, form=StepForm, extra=1, can_delete=True)
StepEdgeFormSet = inlineformset_factory(
    ProcedureRevision, StepEdge, form=StepEdgeForm, fk_name="revision", extra=1, can_delete=True
)
class FormTemplateForm(forms.ModelForm):
    template_file = UploadField(label=_("Template file"), required=False)

    class Meta:
        model = FormTemplate
        fields = ["code", "title", "template_file"]

    def clean_template_file(self):
        upload = self.cleaned_data.get("template_file")
        if upload and "template_file" in self.changed_data:
            self.instance.original_filename = original_name(upload.name)
        elif not upload:
            self.instance.original_filename = ""
        return upload


FormTemplateFormSet = inlineformset_factory(
    ProcedureRevision, FormTemplate, form=FormTemplateForm, extra=1, can_delete=True
)
RecordToKeepFormSet = inlineformset_factory(
    ProcedureRevision,
    RecordToKeep,
    fields=["position", "name", "keeper", "retention_years"],
    extra=1,
    can_delete=True,
)


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_from = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
