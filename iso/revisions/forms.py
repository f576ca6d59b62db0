"""The forms every revision page shares: the editor's content form and the transition buttons."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RevisionContentForm(forms.ModelForm):
    """Base of a revision's content form: carries the revision's ``edit_version`` as it was when the
    editor was opened, so that a save made on an older one is refused (revision_save_edits)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_version"].initial = self.instance.edit_version


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_from = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
