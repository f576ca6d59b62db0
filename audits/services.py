"""Use cases of internal audits, nonconformities and corrective actions; each one transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iso import trail
from iso.actions import action_transition
from iso.models import Clause, OrgUnit, Role, User
from iso.signatures import SignatureRequest, signature_record, transition_signing
from iso.uploads import original_name
from iso.versioning import edit_check, edit_lock, edit_stamp
from iso.workflows import transition_apply, transition_run
from processes.models import Procedure

from .models import (
    ActionEvidence,
    Audit,
    AuditProgramme,
    ChecklistItem,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Nonconformity,
)


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _check_impartiality(*, units, auditors) -> None:
    """No auditor audits their own unit (ISO 19011): the refusal names the auditor and the unit."""
    unit_ids = {unit.pk for unit in units}
    problems = [
        _("%(auditor)s belongs to %(unit)s, which this audit covers: an auditor does not audit their own unit.")
        % {"auditor": auditor, "unit": auditor.unit}
        for auditor in auditors
        if auditor.unit_id in unit_ids
    ]
    if problems:
        raise ValidationError({"team": problems})


@transaction.atomic
def programme_create(*, year: int, title: str, by: User, objectives: str = "", excluded_clauses=()) -> AuditProgramme:
    """Draft the audit programme of ``year``."""
    _require(by, "audits.add_auditprogramme", _("Only the ISO secretary may draft an audit programme."))
    programme = AuditProgramme(year=year, title=title.strip(), objectives=objectives, created_by=by)
    programme.full_clean()
    programme.save()
    programme.excluded_clauses.set(excluded_clauses)
    return programme


def programme_transition(
    *, programme: AuditProgramme, name: str, by: User, comment: str = "", signature: SignatureRequest | None = None
) -> AuditProgramme:
    """Approve (signed electronically), start or complete a programme.

    The password of a signed transition is checked before its transaction: a wrong one is
    counted, and then nothing changes.
    """
    signing = transition_signing(programme, name, by=by, signature=signature)
    return transition_apply(programme, name, by=by, comment=comment, signing=signing)


@transaction.atomic
def audit_plan(
    *,
    programme: AuditProgramme,
    by: User,
    reference: str,
    title: str,
    units,
    planned_start: datetime.date,
    planned_end: datetime.date,
    lead_auditor: User,
    team=(),
    procedures=(),
    clauses=(),
    criteria: str = "",
) -> Audit:
    """Plan an audit in the programme, with its scope and an impartial team."""
    _require(by, "audits.add_audit", _("Only the ISO secretary may plan an audit."))
    if programme.state == AuditProgramme.State.COMPLETED:
        raise ValidationError(_("The %(year)s programme is completed; no audit can be added.") % {"year": programme.year})
    units = list(units)
    team = list(team)
    _check_impartiality(units=units, auditors=[lead_auditor, *team])
    audit = Audit(
        programme=programme, reference=reference.strip(), title=title.strip(), planned_start=planned_start,
        planned_end=planned_end, lead_auditor=lead_auditor, criteria=criteria,
    )
    audit.full_clean()
    audit.save()
    audit.units.set(units)
    audit.team.set(team)
    audit.procedures.set(procedures)
    audit.clauses.set(clauses)
    return audit


@transaction.atomic
def audit_set_scope_and_team(*, audit: Audit, by: User, units=None, team=None, lead_auditor: User | None = None) -> Audit:
    """Change an audit's units, team or lead auditor before it starts; impartiality is checked again."""
    _require(by, "audits.change_audit", _("Only the ISO secretary may change an audit's scope or team."))
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.state not in (Audit.State.PLANNED, Audit.State.PREPARED):
        raise ValidationError(_("%(audit)s has started; its scope and team can no longer change.") % {"audit": audit.reference})
    units = list(units) if units is not None else list(audit.units.all())
    team = list(team) if team is not None else list(audit.team.all())
    lead = lead_auditor or audit.lead_auditor
    _check_impartiality(units=units, auditors=[lead, *team])
    audit.lead_auditor = lead
    audit.save()
    audit.units.set(units)
    audit.team.set(team)
    return audit


@transaction.atomic
def checklist_add_from_template(*, audit: Audit, template: ChecklistTemplate, by: User) -> list[ChecklistItem]:
    """Copy a template's questions into the audit's checklist."""
    _require(by, "audits.add_checklistitem", _("Only internal auditors may prepare a checklist."))
    start = (audit.checklist_items.aggregate(last=Max("position"))["last"] or 0) + 1
    items = [
        ChecklistItem(audit=audit, position=start + i, clause=template.clause, procedure=template.procedure, question=q.question)
        for i, q in enumerate(template.questions.all())
    ]
    return ChecklistItem.objects.bulk_create(items)


@transaction.atomic
def checklist_record(
    *, item: ChecklistItem, by: User, result: str, evidence: str, edit_version: int | None = None
) -> ChecklistItem:
    """Record the result and the evidence seen for one question, while the audit is under way.

    ``edit_version`` is the item's version when the auditor opened it: an answer saved by someone
    else since is never overwritten silently (iso/versioning.py). None for writes from no editor.
    """
    _require(by, "audits.change_checklistitem", _("Only internal auditors may fill in a checklist."))
    # The audit is locked as audit_report locks it: no answer changes under a report being signed.
    audit = Audit.objects.select_for_update().get(pk=item.audit_id)
    if audit.state not in (Audit.State.PREPARED, Audit.State.IN_PROGRESS):
        raise ValidationError(_("The checklist of %(audit)s is filled in while the audit is under way.") % {"audit": audit.reference})
    item = edit_lock(item, edit_version=edit_version)
    item.result = result
    item.evidence = evidence
    edit_stamp(item, by=by)
    item.full_clean()
    item.save()
    return item


def _next_nonconformity_number(year: int) -> int:
    return (Nonconformity.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1


def _nonconformity_create(*, by: User, detected_on: datetime.date, **fields) -> Nonconformity:
    year = detected_on.year
    # The year's register is numbered without gaps or repeats: lock its last row while numbering.
    list(Nonconformity.objects.select_for_update().filter(year=year).order_by("-number")[:1])
    number = _next_nonconformity_number(year)
    nonconformity = Nonconformity(
        reference=f"NC-{year}-{number:03d}", year=year, number=number, detected_by=by, detected_on=detected_on, **fields
    )
    nonconformity.full_clean()
    nonconformity.save()
    return nonconformity


@transaction.atomic
def finding_record(
    *,
    audit: Audit,
    by: User,
    kind: str,
    clause: Clause,
    unit: OrgUnit,
    statement: str,
    evidence: str,
    procedure: Procedure | None = None,
    checklist_item: ChecklistItem | None = None,
    auditee_representative: str = "",
    owner: User | None = None,
    due_date: datetime.date | None = None,
    recorded_on: datetime.date | None = None,
) -> Finding:
    """Record a finding of an audit under way; a nonconformity finding opens its nonconformity,
    numbered in the register of the year it was found (``recorded_on``, today by default)."""
    _require(by, "audits.add_finding", _("Only internal auditors may record findings."))
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.state != Audit.State.IN_PROGRESS:
        raise ValidationError(_("Findings are recorded while the audit is in progress; %(audit)s is %(state)s.")
                              % {"audit": audit.reference, "state": audit.get_state_display().lower()})
    if not audit.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("%(unit)s is not in the scope of %(audit)s.") % {"unit": unit, "audit": audit.reference}})
    number = (audit.findings.aggregate(last=Max("number"))["last"] or 0) + 1
    finding = Finding(
        audit=audit, number=number, kind=kind, clause=clause, unit=unit, procedure=procedure, checklist_item=checklist_item,
        statement=statement.strip(), evidence=evidence.strip(), auditee_representative=auditee_representative, recorded_by=by,
    )
    recorded_on = recorded_on or timezone.localdate()
    if recorded_on != timezone.localdate():
        finding.recorded_at = datetime.datetime.combine(recorded_on, datetime.time(9), tzinfo=timezone.get_current_timezone())
    finding.full_clean()
    finding.save()
    if finding.is_nonconformity:
        _nonconformity_create(
            by=by, detected_on=recorded_on, source=Nonconformity.Source.INTERNAL_AUDIT,
            severity=Nonconformity.Severity.MAJOR if kind == Finding.Kind.MAJOR else Nonconformity.Severity.MINOR,
            unit=unit, clause=clause, description=finding.statement, finding=finding, owner=owner, due_date=due_date,
        )
    return finding


def audit_report(*, audit: Audit, by: User, summary: str, signature: SignatureRequest | None) -> Audit:
    """Write the summary of the audit report and issue it, signed electronically by ``by``; the
    report and its signature are written in one transaction, after the password is checked."""
    signing = transition_signing(audit, "report", by=by, signature=signature)
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        audit.summary = summary.strip()
        transition_run(audit, "report", by=by, signing=signing)
        audit.save()
        signature_record(obj=audit, signing=signing, action="report")
    return audit


@transaction.atomic
def finding_respond(*, finding: Finding, by: User, response: str, edit_version: int | None = None) -> Finding:
    """Record how an observation or an opportunity for improvement is taken up (a changed response
    is kept as a field change), unless someone else changed the finding since ``edit_version``."""
    _require(by, "audits.change_finding", _("Only internal auditors may record the response to a finding."))
    if finding.is_nonconformity:
        raise ValidationError(_("A nonconformity finding is dealt with through its nonconformity."))
    finding = Finding.objects.select_for_update(of=("self",)).select_related("audit").get(pk=finding.pk)
    edit_check(finding, edit_version=edit_version)
    before = trail.snapshot(finding)
    finding.response = response.strip()
    finding.save(update_fields=["response", *edit_stamp(finding, by=by)])
    trail.record_changes(finding, before=before, by=by)
    return finding


@transaction.atomic
def nonconformity_raise(
    *,
    by: User,
    source: str,
    unit: OrgUnit,
    description: str,
    severity: str = Nonconformity.Severity.MINOR,
    clause: Clause | None = None,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    detected_on: datetime.date | None = None,
) -> Nonconformity:
    """Raise a nonconformity found outside an audit (complaint, external audit, monitoring, review)."""
    _require(by, "audits.add_nonconformity", _("You may not raise nonconformities."))
    return _nonconformity_create(
        by=by, detected_on=detected_on or timezone.localdate(), source=source, severity=severity, unit=unit,
        clause=clause, description=description.strip(), owner=owner, due_date=due_date,
    )


@transaction.atomic
def nonconformity_from_late_case(*, case, by: User) -> Nonconformity:
    """Turn a case resolved late, or overdue now, into a nonconformity of its unit, the case linked."""
    _require(by, "audits.add_nonconformity", _("You may not raise nonconformities."))
    # Locked so that two people pressing the button at once raise one nonconformity, not two.
    case = type(case).objects.select_for_update().get(pk=case.pk)
    if not (case.timing == "late" or case.is_overdue):
        raise ValidationError(_("%(case)s is not late.") % {"case": case})
    if case.nonconformities.exists():
        raise ValidationError(
            _("%(case)s already has nonconformity %(nc)s.") % {"case": case, "nc": case.nonconformities.first().reference}
        )
    facts = {
        "case": case.reference,
        "procedure": case.procedure.code,
        "due": timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M"),
    }
    if case.resolved_at:
        description = _("Case %(case)s (%(procedure)s) was due on %(due)s and was resolved on %(resolved)s.") % {
            **facts, "resolved": timezone.localtime(case.resolved_at).strftime("%d/%m/%Y %H:%M"),
        }
    else:
        description = _("Case %(case)s (%(procedure)s) was due on %(due)s and is still open.") % facts
    nonconformity = _nonconformity_create(
        by=by, detected_on=timezone.localdate(), source=Nonconformity.Source.PROCESS_MONITORING,
        severity=Nonconformity.Severity.MINOR, unit=case.unit, description=description,
        clause=Clause.objects.filter(number="8.5.1").first(),
    )
    nonconformity.case = case
    nonconformity.save(update_fields=["case"])
    return nonconformity


@transaction.atomic
def nonconformity_assign(
    *, nonconformity: Nonconformity, by: User, owner: User, due_date: datetime.date, edit_version: int | None = None
) -> Nonconformity:
    """Hand an open nonconformity to an owner with a due date (its unit, or the auditor who raised it);
    a change of owner or due date is kept as a field change. Refused when someone else changed the
    nonconformity since ``edit_version``."""
    if not (by.has_perm("audits.handle_nonconformity") or by.has_perm("audits.conduct_audit")):
        raise PermissionDenied(_("You may not assign nonconformities."))
    nonconformity = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    if not nonconformity.is_open:
        raise ValidationError(_("%(nc)s is %(state)s.") % {"nc": nonconformity, "state": nonconformity.get_state_display().lower()})
    edit_check(nonconformity, edit_version=edit_version)
    before = trail.snapshot(nonconformity)
    nonconformity.owner = owner
    nonconformity.due_date = due_date
    edit_stamp(nonconformity, by=by)
    nonconformity.full_clean()
    nonconformity.save()
    trail.record_changes(nonconformity, before=before, by=by)
    return nonconformity


@transaction.atomic
def nonconformity_analyse(
    *,
    nonconformity: Nonconformity,
    by: User,
    correction: str,
    root_cause: str = "",
    whys=(),
    extent: str = "",
    edit_version: int | None = None,
) -> Nonconformity:
    """Record the correction, the root cause (five whys, in order, or free text) and the extent;
    each field changed is kept as a field change. Refused when someone else changed the
    nonconformity since ``edit_version``."""
    nonconformity = edit_lock(nonconformity, edit_version=edit_version)
    before = trail.snapshot(nonconformity)
    nonconformity.correction = correction.strip()
    nonconformity.whys = [why.strip() for why in whys if why.strip()]
    nonconformity.root_cause = root_cause.strip() or (nonconformity.whys[-1] if nonconformity.whys else "")
    nonconformity.extent = extent.strip()
    transition_run(nonconformity, "analyse", by=by)
    edit_stamp(nonconformity, by=by)
    nonconformity.save()
    trail.record_changes(nonconformity, before=before, by=by)
    return nonconformity


@transaction.atomic
def corrective_action_plan(
    *,
    nonconformity: Nonconformity,
    by: User,
    description: str,
    owner: User,
    due_date: datetime.date,
    edit_version: int | None = None,
) -> CorrectiveAction:
    """Add a corrective action to an analysed nonconformity (before its plan is accepted).

    The plan is part of the nonconformity: refused when someone else changed it (its analysis,
    owner or plan) since ``edit_version``, so that nobody plans on a page that no longer shows it.
    """
    nonconformity = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    _require(by, "audits.handle_nonconformity", _("You may not plan corrective actions."))
    if nonconformity.state not in (Nonconformity.State.ANALYSED, Nonconformity.State.IN_ACTION):
        raise ValidationError(
            _("Actions are planned after the analysis and before the plan is submitted; %(nc)s is %(state)s.")
            % {"nc": nonconformity.reference, "state": nonconformity.get_state_display().lower()}
        )
    edit_check(nonconformity, edit_version=edit_version)
    return _action_create(nonconformity=nonconformity, by=by, description=description, owner=owner, due_date=due_date)


def _action_create(*, nonconformity, by, description, owner, due_date, reissue_of=None) -> CorrectiveAction:
    """Add an action to the plan of ``nonconformity`` (locked by the caller), whose version moves on."""
    number = (nonconformity.actions.aggregate(last=Max("number"))["last"] or 0) + 1
    action = CorrectiveAction(
        nonconformity=nonconformity, number=number, description=description.strip(), owner=owner, due_date=due_date,
        reissue_of=reissue_of,
    )
    action.full_clean()
    action.save()
    nonconformity.save(update_fields=edit_stamp(nonconformity, by=by))
    return action


def nonconformity_transition(
    *, nonconformity: Nonconformity, name: str, by: User, comment: str = "", signature: SignatureRequest | None = None
) -> Nonconformity:
    """Submit the plan, accept it (signed electronically), ask for verification, close, reject:
    the transitions without extra data."""
    signing = transition_signing(nonconformity, name, by=by, signature=signature)
    return transition_apply(nonconformity, name, by=by, comment=comment, signing=signing)


def corrective_action_start(*, action: CorrectiveAction, by: User) -> CorrectiveAction:
    """Begin work on an action of an accepted plan."""
    return action_transition(action=action, name="start", by=by)


def corrective_action_finish(*, action: CorrectiveAction, by: User, note: str) -> CorrectiveAction:
    """The action is carried out; evidence files may be attached."""
    return action_transition(action=action, name="finish", by=by, note=note)


def corrective_action_verify(
    *,
    action: CorrectiveAction,
    verified_by: User,
    effective: bool,
    note: str,
    signature: SignatureRequest | None,
    reissue_due_date: datetime.date | None = None,
) -> CorrectiveAction:
    """Judge whether a done action removed the cause, not before the delay and never by its owner,
    signed electronically by the verifier (the password is checked before the transaction).

    An ineffective action sends its nonconformity back to action and is reissued under a new
    number, with the same owner, due on ``reissue_due_date`` (a month from today by default).
    """
    name = "verify_effective" if effective else "verify_not_effective"
    signing = transition_signing(action, name, by=verified_by, signature=signature)
    with transaction.atomic():
        # The nonconformity is locked before its action, in the order every service here takes them,
        # so a verification and a closure or a new plan of the same nonconformity run one after the other.
        nonconformity = Nonconformity.objects.select_for_update().get(pk=action.nonconformity_id)
        action = transition_apply(action, name, by=verified_by, comment=note, signing=signing)
        if not effective:
            if nonconformity.state == Nonconformity.State.AWAITING_VERIFICATION:
                transition_run(nonconformity, "reopen", by=verified_by, internal=True,
                               comment=_("%(action)s was not effective.") % {"action": action.label})
                nonconformity.save()
            _action_create(
                nonconformity=nonconformity,
                by=verified_by,
                description=_("Reissue of %(action)s: %(description)s") % {"action": action.label, "description": action.description},
                owner=action.owner,
                due_date=reissue_due_date or timezone.localdate() + datetime.timedelta(days=30),
                reissue_of=action,
            )
    return action


@transaction.atomic
def action_evidence_add(*, action: CorrectiveAction, by: User, file, description: str = "") -> ActionEvidence:
    """Attach a file proving that a corrective action was carried out, by its owner or the secretary."""
    if not by.has_perm("audits.add_actionevidence"):
        raise PermissionDenied(_("You may not attach evidence to corrective actions."))
    action = CorrectiveAction.objects.select_for_update().select_related("nonconformity", "owner").get(pk=action.pk)
    if action.owner_id != by.pk and not by.has_role(Role.ISO_SECRETARY):
        raise ValidationError(
            _("Only the owner of the action (%(owner)s) or the ISO secretary may do this.") % {"owner": action.owner}
        )
    if action.state not in (CorrectiveAction.State.IN_PROGRESS, CorrectiveAction.State.DONE):
        raise ValidationError(
            _("Evidence is attached while %(action)s is in progress or done; it is %(state)s.")
            % {"action": action.label, "state": action.get_state_display().lower()}
        )
    evidence = ActionEvidence(
        action=action, file=file, original_filename=original_name(file.name), description=description.strip(),
        uploaded_by=by,
    )
    evidence.full_clean()
    evidence.save()
    return evidence
