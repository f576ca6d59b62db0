from django import forms
from django.utils.translation import gettext_lazy as _

from iso.uploads import UploadField
from iso.versioning import EditVersionModelForm

from .models import KeptRecord, RecordType


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordTypeForm(EditVersionModelForm):
    class Meta:
        model = RecordType
        fields = ["code", "name", "procedure", "form", "keeper", "location", "retention_years", "disposal_method"]


class RecordTypeFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False)


class KeptRecordFilterForm(forms.Form):
    record_type = forms.ModelChoiceField(label=_("Record type"), queryset=RecordType.objects.all(), required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *KeptRecord.State.choices], required=False)
    due = forms.BooleanField(label=_("Retention over"), required=False)
    search = forms.CharField(label=_("Search"), required=False)


class KeptRecordStoreForm(forms.Form):
    record_type = forms.ModelChoiceField(label=_("Record type"), queryset=RecordType.objects.all())
    title = forms.CharField(label=_("Title"), max_length=300)
    record_date = forms.DateField(label=_("Record date"), widget=_date_input())
    file = UploadField(label=_("File"), required=False)


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisposalForm(forms.Form):
    records = forms.ModelMultipleChoiceField(
        label=_("Records"), queryset=KeptRecord.objects.all()
    )
    method = forms.CharField(label=_("Disposal method"), max_length=200)
    members = forms.CharField(label=_("Members of the disposal council"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The fields sit below the table of records, outside the <form id="disposal"> whose
        # checkboxes are in the table: the form attribute posts them with it.
        for field in self.fields.values():
            field.widget.attrs["form"] = "disposal"


class EvidencePackForm(forms.Form):
    start = forms.DateField(label=_("Period from"), widget=_date_input())
    end = forms.DateField(label=_("to (inclusive)"), widget=_date_input())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
