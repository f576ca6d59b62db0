"""The forms every revision page shares: the editor's content form and the transition buttons."""

from django import forms
from django.utils.translation import gettext_lazy as _

from iso.forms import TransitionForm as BaseTransitionForm
from iso.versioning import EditVersionModelForm


class RevisionContentForm(EditVersionModelForm):
    """Base of a revision's content form: carries the revision's ``edit_version`` as it was when the
    editor was opened, so that a save made on an older one is refused (revision_save_edits)."""


class TransitionForm(BaseTransitionForm):
    """A revision's transition: publishing also asks for the date it takes effect."""

    effective_from = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
