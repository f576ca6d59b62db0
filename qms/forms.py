from django import forms
from django.db import models
from django.forms import inlineformset_factory

from iso.models import OrgUnit
from iso.revisions.forms import RevisionContentForm
from processes.models import Procedure

from .models import (
    ContextIssue,
    ExcludedClause,
    InterestedParty,
    PolicyCommitment,
    PolicyRevision,
    QmsDocument,
    ScopeRevision,
    excludable_clauses,
)

_TEXT = forms.Textarea(attrs={"rows": 3})


class QmsDocumentForm(forms.ModelForm):
    class Meta:
        model = QmsDocument
        fields = ["code", "title"]


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = QmsDocument
        fields = ["last_announced_on", "announcement_reference"]
        widgets = {"last_announced_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_announced_on"].required = True


class ScopeContentForm(RevisionContentForm):
    class Meta:
        model = ScopeRevision
        fields = ["statement", "units", "procedures", "change_summary"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 6}),
            "change_summary": _TEXT,
            "units": forms.SelectMultiple(attrs={"size": 8}),
            "procedures": forms.SelectMultiple(attrs={"size": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = OrgUnit.objects.filter(is_active=True).order_by("code")
        self.fields["procedures"].queryset = Procedure.objects.order_by("code")


class ExcludedClauseForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = excludable_clauses()


def _rows(parent, model, fields, form=forms.ModelForm):
    """The formset of a revision's rows: position first, long texts as small text areas."""
    widgets = {name: _TEXT for name in fields if isinstance(model._meta.get_field(name), models.TextField)}
    widgets["position"] = forms.NumberInput(attrs={"class": "narrow"})
    return inlineformset_factory(
        parent, model, form=form, fields=["position", *fields], widgets=widgets, extra=1, can_delete=True
    )


ExcludedClauseFormSet = _rows(ScopeRevision, ExcludedClause, ["clause", "justification"], form=ExcludedClauseForm)
ContextIssueFormSet = _rows(ScopeRevision, ContextIssue, ["kind", "description", "effect"])
InterestedPartyFormSet = _rows(ScopeRevision, InterestedParty, ["party", "requirements", "monitoring"])


class PolicyContentForm(RevisionContentForm):
    class Meta:
        model = PolicyRevision
        fields = ["text", "change_summary"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8}), "change_summary": _TEXT}


PolicyCommitmentFormSet = _rows(PolicyRevision, PolicyCommitment, ["text"])

