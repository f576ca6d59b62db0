"""Pages of the scope and context document and of the quality policy. The two documents share their
views, told apart by ``kind`` (given by the URL conf); each view parses input, calls one service or
selector, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso.revisions import views as revision_views
from records.pdf import pdf_response

from . import selectors, services
from .forms import (
    AnnouncementForm,
    ContextIssueFormSet,
    ExcludedClauseFormSet,
    InterestedPartyFormSet,
    PolicyCommitmentFormSet,
    PolicyContentForm,
    QmsDocumentForm,
    ScopeContentForm,
)
from .models import QmsDocument, QmsRevision
from .pdf import policy_revision_pdf, scope_revision_pdf

SCOPE, POLICY = QmsDocument.Kind.SCOPE, QmsDocument.Kind.POLICY


def _revision_or_404(request, kind: str, number: int, *, to_change: bool = False) -> QmsRevision:
    """The revision as the signed-in user may see it: 404 when out of their reach (a draft for
    someone who is not the secretary or an approver), 403 when they may read but not change it."""
    try:
        return selectors.revision_get(user=request.user, kind=kind, number=number, to_change=to_change)
    except ObjectDoesNotExist:
        raise Http404(_("No such revision.")) from None


def _document_or_404(kind: str) -> QmsDocument:
    document = selectors.document_get(kind=kind)
    if document is None:
        raise Http404(_("This document has not been registered yet."))
    return document


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("You do not have the right to do this."))


def _announcement(request) -> "selectors.Announcement | None":
    """The announcement state of the scope, for those who act on it: the secretary and the approvers."""
    user = request.user
    if user.has_perm("qms.change_qmsdocument") or user.has_perm("qms.approve_scoperevision"):
        return selectors.scope_announcement(user=user)
    return None


def _revision_urls(kind: str, number: int) -> dict:
    return {
        f"{name}_url": reverse(f"qms:{kind}_revision_{name}", args=[number]) for name in ("print", "edit", "transition")
    }


@permission_required("qms.view_qmsdocument", raise_exception=True)
def index(request):
    return render(
        request,
        "qms/index.html",
        {
            "summaries": selectors.document_summaries(user=request.user),
            "announcement": _announcement(request),
        },
    )


@permission_required("qms.view_qmsdocument", raise_exception=True)
def document_detail(request, kind):
    document = selectors.document_get(kind=kind)
    context = {"kind": kind, "kind_label": QmsDocument.Kind(kind).label, "document": document}
    if document is None:
        context["form"] = QmsDocumentForm() if request.user.has_perm("qms.add_qmsdocument") else None
        return render(request, "qms/document_detail.html", context)
    effective = selectors.revision_effective(user=request.user, kind=kind)
    context.update({
        "effective": effective,
        "revisions": selectors.revision_list(user=request.user, document=document),
        "can_start": request.user.has_perm(f"qms.add_{kind}revision"),
    })
    if kind == SCOPE:
        context["announcement"] = _announcement(request)
        if request.user.has_perm("qms.change_qmsdocument"):
            context["announcement_form"] = AnnouncementForm(instance=document)
    else:
        context["to_acknowledge"] = selectors.policy_to_acknowledge(user=request.user)
    return render(request, "qms/document_detail.html", context)


@require_POST
@permission_required("qms.add_qmsdocument", raise_exception=True)
def document_create(request, kind):
    form = QmsDocumentForm(request.POST)
    if form.is_valid():
        try:
            document = services.qms_document_create(kind=kind, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(document)s registered with a draft revision 0.") % {"document": document})
            return redirect(f"qms:{kind}_revision_edit", number=0)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(f"qms:{kind}_detail")


@require_POST
def revision_start(request, kind):
    _require(request, f"qms.add_{kind}revision")
    document = _document_or_404(kind)
    try:
        draft = services.qms_revision_start(document=document, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(document)
    messages.success(request, _("%(revision)s opened as a draft.") % {"revision": draft})
    return redirect(f"qms:{kind}_revision_edit", number=draft.number)


@permission_required("qms.view_qmsdocument", raise_exception=True)
def revision_detail(request, kind, number):
    revision = _revision_or_404(request, kind, number)
    context = {
        **revision_views.revision_context(request, revision),
        **_revision_urls(kind, number),
        "kind": kind,
        "document": revision.document,
        "can_edit": revision.is_editable and request.user.has_perm(f"qms.change_{kind}revision"),
    }
    if kind == POLICY and revision.state == QmsRevision.State.EFFECTIVE:
        context["acknowledged"] = revision.acknowledgements.filter(user=request.user).exists()
    return render(request, "qms/revision_detail.html", context)


def _scope_forms(revision):
    def forms(data, files):
        return ScopeContentForm(data, instance=revision, prefix="content"), {
            "excluded_formset": ExcludedClauseFormSet(data, instance=revision, prefix="excluded"),
            "issues_formset": ContextIssueFormSet(data, instance=revision, prefix="issues"),
            "parties_formset": InterestedPartyFormSet(data, instance=revision, prefix="parties"),
        }

    return forms


def _policy_forms(revision):
    def forms(data, files):
        return PolicyContentForm(data, instance=revision, prefix="content"), {
            "commitments_formset": PolicyCommitmentFormSet(data, instance=revision, prefix="commitments"),
        }

    return forms


def revision_edit(request, kind, number):
    revision = _revision_or_404(request, kind, number, to_change=True)
    _require(request, f"qms.change_{kind}revision")
    forms = _scope_forms(revision) if kind == SCOPE else _policy_forms(revision)
    return revision_views.revision_edit(
        request, revision, forms=forms, template=f"qms/{kind}_edit.html", context={"document": revision.document}
    )


@require_POST
def revision_transition(request, kind, number):
    return revision_views.revision_transition(request, _revision_or_404(request, kind, number, to_change=True))


@permission_required("qms.view_qmsdocument", raise_exception=True)
def revision_print(request, kind, number):
    revision = _revision_or_404(request, kind, number)
    content = scope_revision_pdf(revision) if kind == SCOPE else policy_revision_pdf(revision)
    return pdf_response(content, f"{revision.document.code}-rev{revision.number}.pdf")


@require_POST
@permission_required("qms.change_qmsdocument", raise_exception=True)
def scope_announcement(request):
    document = _document_or_404(SCOPE)
    form = AnnouncementForm(request.POST, instance=document)
    if form.is_valid():
        try:
            services.scope_announcement_record(
                document=document, announced_on=form.cleaned_data["last_announced_on"],
                reference=form.cleaned_data["announcement_reference"], by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The announcement of conformity is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(document)


@require_POST
@permission_required("qms.view_qmsdocument", raise_exception=True)
def policy_acknowledge(request, number):
    revision = _revision_or_404(request, POLICY, number)
    try:
        services.policy_acknowledge(revision=revision, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Thank you: your reading of the quality policy is recorded."))
    return redirect(revision)


@permission_required("qms.view_policyacknowledgement", raise_exception=True)
def policy_acknowledgements(request):
    revision = selectors.policy_effective(user=request.user)
    readers = selectors.policy_readers(user=request.user, revision=revision) if revision else []
    return render(
        request,
        "qms/policy_acknowledgements.html",
        {
            "revision": revision,
            "readers": readers,
            "acknowledged": sum(len(group.acknowledged) for group in readers),
            "total": sum(group.total for group in readers),
        },
    )
