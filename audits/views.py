"""Pages of the audit programme, audits, nonconformities and corrective actions.

Each view parses input, calls one service or selector, and renders. A refusal comes back as a
message in the words of the rule that refused (TransitionRefused or ValidationError).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from cases.models import Case
from iso.actions import action_rows
from iso.forms import signature_request
from iso.pages import add_errors as _add_errors
from iso.pages import dispatch as _dispatch
from iso.pages import report as _report
from iso.pages import state_changed as _state_changed
from iso.pages import valid as _valid
from iso.signatures import signatures_checked
from iso.uploads import file_response
from iso.workflows import TransitionRefused, available_transitions, transition_apply
from records.pdf import pdf_response

from . import pdf, selectors, services
from .forms import (
    ActionPlanForm,
    ActionTransitionForm,
    AnalysisForm,
    AssignForm,
    AuditPlanForm,
    AuditReportForm,
    ChecklistRecordForm,
    ChecklistTemplateForm,
    EvidenceForm,
    FindingForm,
    FindingResponseForm,
    NonconformityFilterForm,
    NonconformityRaiseForm,
    ProgrammeForm,
    TransitionForm,
)
from .models import ActionEvidence, Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Finding, Nonconformity

PAGE_SIZE = 50

#: The transitions each page offers as buttons; the others happen through a form of their own
#: (an audit's report needs its summary, a nonconformity's analysis its root cause).
PROGRAMME_TRANSITIONS = ("approve", "start", "complete")
AUDIT_TRANSITIONS = ("prepare", "start", "report", "close", "cancel")
NONCONFORMITY_TRANSITIONS = ("plan", "accept_plan", "request_verification", "close", "reject")


# Helpers


def _audit_or_404(request, reference: str) -> Audit:
    try:
        return selectors.audit_get(user=request.user, reference=reference)
    except Audit.DoesNotExist:
        raise Http404(_("No such audit.")) from None


def _nonconformity_or_404(request, reference: str) -> Nonconformity:
    try:
        return selectors.nonconformity_get(user=request.user, reference=reference)
    except Nonconformity.DoesNotExist:
        raise Http404(_("No such nonconformity.")) from None


def _programme_or_404(request, year: int) -> AuditProgramme:
    try:
        return selectors.programme_get(user=request.user, year=year)
    except AuditProgramme.DoesNotExist:
        raise Http404(_("No such audit programme.")) from None


def _age_in_days(nonconformity: Nonconformity, today: datetime.date) -> int:
    """Days from detection to closure, or to today while it is not closed."""
    end = timezone.localdate(nonconformity.closed_at) if nonconformity.closed_at else today
    return (end - nonconformity.detected_on).days


# Programmes


@permission_required("audits.view_auditprogramme", raise_exception=True)
def programme_list(request):
    return render(request, "audits/programme_list.html", {"programmes": selectors.programme_list(user=request.user)})


@permission_required("audits.add_auditprogramme", raise_exception=True)
def programme_create(request):
    form = ProgrammeForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Audit programme %(year)s drafted.") % {"year": programme.year})
            return redirect(programme)
    return render(request, "audits/programme_form.html", {"form": form})


@permission_required("audits.view_auditprogramme", raise_exception=True)
def programme_detail(request, year):
    programme = _programme_or_404(request, year)
    return render(
        request,
        "audits/programme_detail.html",
        {
            "programme": programme,
            "excluded_clauses": programme.excluded_clauses.all(),
            "transitions": [t for t in available_transitions(programme, request.user) if t.name in PROGRAMME_TRANSITIONS],
            "audits": selectors.audit_list(programme=programme),
            "coverage": selectors.programme_coverage(programme=programme),
            "history": selectors.history(obj=programme),
            "signatures": signatures_checked(programme),
        },
    )


@require_POST
@permission_required("audits.view_auditprogramme", raise_exception=True)
def programme_transition(request, year):
    # The programme is read by everyone but moved on only by those who keep or approve it.
    if not (request.user.has_perm("audits.change_auditprogramme") or request.user.has_perm("audits.approve_auditprogramme")):
        raise PermissionDenied
    programme = _programme_or_404(request, year)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["transition"] not in PROGRAMME_TRANSITIONS:
        messages.error(request, _("Unknown action."))
        return redirect(programme)
    try:
        programme = services.programme_transition(
            programme=programme, name=form.cleaned_data["transition"], by=request.user,
            comment=form.cleaned_data["comment"], signature=signature_request(request.POST),
        )
    except (TransitionRefused, ValidationError) as error:
        _report(request, error)
    else:
        messages.success(request, _state_changed(programme))
    return redirect(programme)


@permission_required("audits.add_audit", raise_exception=True)
def audit_create(request, year):
    programme = _programme_or_404(request, year)
    form = AuditPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_plan(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Audit %(audit)s planned.") % {"audit": audit.reference})
            return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form, "programme": programme})


# Audits


@permission_required("audits.view_audit", raise_exception=True)
def audit_detail(request, reference):
    audit = _audit_or_404(request, reference)
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "programme": audit.programme,
            "transitions": [t for t in available_transitions(audit, request.user) if t.name in AUDIT_TRANSITIONS],
            "report_form": AuditReportForm(initial={"summary": audit.summary}),
            "checklist": audit.checklist_items.select_related("clause", "procedure"),
            "result_choices": ChecklistItem.Result.choices,
            "template_form": ChecklistTemplateForm(),
            "findings": selectors.audit_findings(audit=audit),
            "finding_form": FindingForm(audit=audit),
            "history": selectors.history(obj=audit),
            "signatures": signatures_checked(audit),
        },
    )


def _audit_transition(request, audit):
    data = _valid(TransitionForm(request.POST))
    name = data["transition"]
    if name not in AUDIT_TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    if name == "report":
        audit = services.audit_report(
            audit=audit, by=request.user, summary=_valid(AuditReportForm(request.POST))["summary"],
            signature=signature_request(request.POST),
        )
    else:
        audit = transition_apply(audit, name, by=request.user, comment=data["comment"])
    return _state_changed(audit)


def _record_item(request, audit):
    data = _valid(ChecklistRecordForm(request.POST))
    item = get_object_or_404(ChecklistItem, pk=data["item"], audit=audit)
    services.checklist_record(
        item=item, by=request.user, result=data["result"], evidence=data["evidence"], edit_version=data["edit_version"]
    )
    return _("Checklist question %(position)s recorded.") % {"position": item.position}


def _add_questions(request, audit):
    data = _valid(ChecklistTemplateForm(request.POST))
    items = services.checklist_add_from_template(audit=audit, template=data["template"], by=request.user)
    return ngettext(
        "%(count)s question added from %(template)s.", "%(count)s questions added from %(template)s.", len(items)
    ) % {"count": len(items), "template": data["template"]}


def _record_finding(request, audit):
    finding = services.finding_record(audit=audit, by=request.user, **_valid(FindingForm(request.POST, audit=audit)))
    if finding.is_nonconformity:
        return _("Finding %(finding)s recorded; nonconformity %(nc)s opened.") % {
            "finding": finding.label, "nc": finding.nonconformity.reference
        }
    return _("Finding %(finding)s recorded.") % {"finding": finding.label}


def _respond(request, audit):
    data = _valid(FindingResponseForm(request.POST))
    finding = get_object_or_404(Finding.objects.select_related("audit"), pk=data["finding"], audit=audit)
    services.finding_respond(
        finding=finding, by=request.user, response=data["response"], edit_version=data["edit_version"]
    )
    return _("Response to %(finding)s recorded.") % {"finding": finding.label}


#: What an audit page can post: the permission it needs (None: the transition's own) and its handler.
AUDIT_ACTIONS = {
    "transition": (None, _audit_transition),
    "record_item": ("audits.change_checklistitem", _record_item),
    "add_questions": ("audits.add_checklistitem", _add_questions),
    "record_finding": ("audits.add_finding", _record_finding),
    "respond": ("audits.change_finding", _respond),
}


@require_POST
@permission_required("audits.view_audit", raise_exception=True)
def audit_action(request, reference, action):
    audit = _audit_or_404(request, reference)
    _dispatch(request, audit, AUDIT_ACTIONS, action)
    return redirect("audits:audit_detail", reference=reference)


# Nonconformities


@permission_required("audits.view_nonconformity", raise_exception=True)
def nonconformity_list(request):
    form = NonconformityFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.pop("mine", False):
        filters["owner"] = request.user
    page = Paginator(selectors.nonconformity_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "audits/nonconformity_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(nc, _age_in_days(nc, today)) for nc in page],
            "query": query.urlencode(),
        },
    )


@permission_required("audits.add_nonconformity", raise_exception=True)
def nonconformity_create(request):
    form = NonconformityRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nonconformity = services.nonconformity_raise(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Nonconformity %(nc)s raised.") % {"nc": nonconformity.reference})
            return redirect(nonconformity)
    return render(request, "audits/nonconformity_form.html", {"form": form})


@require_POST
@permission_required("audits.add_nonconformity", raise_exception=True)
def nonconformity_from_case(request, reference):
    try:
        case = case_selectors.case_get(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None
    try:
        nonconformity = services.nonconformity_from_late_case(case=case, by=request.user)
    except ValidationError as error:
        _report(request, error)
        return redirect(case)
    messages.success(request, _("Nonconformity %(nc)s raised for case %(case)s.") % {"nc": nonconformity.reference, "case": case.reference})
    return redirect(nonconformity)


@permission_required("audits.view_nonconformity", raise_exception=True)
def nonconformity_detail(request, reference):
    nonconformity = _nonconformity_or_404(request, reference)
    user = request.user
    transitions = available_transitions(nonconformity, user)
    actions = action_rows(selectors.nonconformity_actions(nonconformity=nonconformity), user=user)
    return render(
        request,
        "audits/nonconformity_detail.html",
        {
            "nc": nonconformity,
            "transitions": [t for t in transitions if t.name in NONCONFORMITY_TRANSITIONS],
            "analyse": next((t for t in transitions if t.name == "analyse"), None),
            "analysis_form": AnalysisForm.for_nonconformity(nonconformity),
            "may_assign": user.has_perm("audits.handle_nonconformity") or user.has_perm("audits.conduct_audit"),
            "assign_form": AssignForm(
                initial={"owner": nonconformity.owner_id, "due_date": nonconformity.due_date}, record=nonconformity
            ),
            "actions": actions,
            "plan_form": ActionPlanForm(record=nonconformity),
            "age": _age_in_days(nonconformity, timezone.localdate()),
            "history": selectors.history(obj=nonconformity),
            "signatures": signatures_checked(nonconformity),
        },
    )


def _nonconformity_transition(request, nonconformity):
    data = _valid(TransitionForm(request.POST))
    if data["transition"] not in NONCONFORMITY_TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    nonconformity = services.nonconformity_transition(
        nonconformity=nonconformity, name=data["transition"], by=request.user, comment=data["comment"],
        signature=signature_request(request.POST),
    )
    return _state_changed(nonconformity)


def _analyse(request, nonconformity):
    form = AnalysisForm(request.POST)
    _valid(form)
    nonconformity = services.nonconformity_analyse(nonconformity=nonconformity, by=request.user, **form.analysis())
    return _state_changed(nonconformity)


def _assign(request, nonconformity):
    data = _valid(AssignForm(request.POST))
    nonconformity = services.nonconformity_assign(
        nonconformity=nonconformity, by=request.user, owner=data["owner"], due_date=data["due_date"],
        edit_version=data["edit_version"],
    )
    return _("%(nc)s is in the hands of %(owner)s, due %(date)s.") % {
        "nc": nonconformity, "owner": nonconformity.owner, "date": nonconformity.due_date.strftime("%d/%m/%Y")
    }


def _plan_action(request, nonconformity):
    data = _valid(ActionPlanForm(request.POST))
    action = services.corrective_action_plan(nonconformity=nonconformity, by=request.user, **data)
    return _("Corrective action %(action)s planned.") % {"action": action.label}


def _action_transition(request, nonconformity):
    data = _valid(ActionTransitionForm(request.POST))
    action = get_object_or_404(CorrectiveAction.objects.select_related("nonconformity"), pk=data["action"], nonconformity=nonconformity)
    name, note = data["transition"], data["note"]
    if name == "start":
        action = services.corrective_action_start(action=action, by=request.user)
    elif name == "finish":
        action = services.corrective_action_finish(action=action, by=request.user, note=note)
    elif name in ("verify_effective", "verify_not_effective"):
        action = services.corrective_action_verify(
            action=action, verified_by=request.user, effective=name == "verify_effective", note=note,
            reissue_due_date=data["reissue_due_date"], signature=signature_request(request.POST),
        )
    else:
        raise ValidationError(_("Unknown action."))
    return _state_changed(action)


def _add_evidence(request, nonconformity):
    form = EvidenceForm(request.POST, request.FILES)
    data = _valid(form)
    action = get_object_or_404(CorrectiveAction.objects.select_related("nonconformity"), pk=data["action"], nonconformity=nonconformity)
    services.action_evidence_add(action=action, by=request.user, file=data["file"], description=data["description"])
    return _("Evidence attached to %(action)s.") % {"action": action.label}


#: What a nonconformity page can post: the permission it needs (None: the service's or the
#: transition's own check, with its message) and its handler.
NONCONFORMITY_ACTIONS = {
    "transition": (None, _nonconformity_transition),
    "analyse": (None, _analyse),
    "assign": (None, _assign),
    "plan_action": ("audits.handle_nonconformity", _plan_action),
    "action": (None, _action_transition),
    "evidence": ("audits.add_actionevidence", _add_evidence),
}


@require_POST
@permission_required("audits.view_nonconformity", raise_exception=True)
def nonconformity_action(request, reference, action):
    nonconformity = _nonconformity_or_404(request, reference)
    _dispatch(request, nonconformity, NONCONFORMITY_ACTIONS, action)
    return redirect("audits:nonconformity_detail", reference=reference)


@permission_required("audits.view_nonconformity", raise_exception=True)
def evidence_file(request, reference, pk):
    """Download a file of evidence, reached through the nonconformity it proves action on."""
    nonconformity = _nonconformity_or_404(request, reference)
    evidence = get_object_or_404(ActionEvidence, pk=pk, action__nonconformity=nonconformity)
    return file_response(evidence.file, filename=evidence.original_filename)


# Printouts


@permission_required("audits.view_auditprogramme", raise_exception=True)
def programme_print(request, year):
    programme = _programme_or_404(request, year)
    return pdf_response(pdf.programme_pdf(programme), f"audit-programme-{year}.pdf")


#: The printouts of an audit, by the name in their address.
AUDIT_PRINTOUTS = {"plan": pdf.audit_plan_pdf, "checklist": pdf.checklist_pdf, "report": pdf.audit_report_pdf}


@permission_required("audits.view_audit", raise_exception=True)
def audit_print(request, reference, document):
    if document not in AUDIT_PRINTOUTS:
        raise Http404(_("No such printout."))
    audit = _audit_or_404(request, reference)
    return pdf_response(AUDIT_PRINTOUTS[document](audit), f"{audit.reference}-{document}.pdf")


@permission_required("audits.view_nonconformity", raise_exception=True)
def nonconformity_print(request, reference):
    nonconformity = _nonconformity_or_404(request, reference)
    return pdf_response(pdf.nonconformity_pdf(nonconformity), f"{nonconformity.reference}.pdf")
