"""Least privilege: which objects each user may see and change, in one place.

Role permissions (``iso/roles.py``) say *what kind* of thing a role may do; the rules here say *to
which objects*. Every selector that serves a page, a printout, an export or a dashboard starts from
the querysets below, so another unit's object is simply not found (404), and a state change
additionally passes the transition's own role permission.

A user's reach is the union of what each of their roles gives; a superuser reaches everything.
"Own units" are the user's unit and every unit below it in the organisation tree
(``OrgUnit.objects.with_descendants``); "audited units" are the units (and their sub-units) of the
audits the user is on as lead auditor or team member.

====================  ======================================  ==========================================
object                sees                                    changes (besides the role permission)
====================  ======================================  ==========================================
procedure             everyone (documented procedures are     ISO secretary, approver; process owner of
                      read by all staff)                      the owner unit (starting a revision)
revision: effective,  everyone                                as above; acknowledging: its expected
superseded, withdrawn                                         readers (owner unit, step units, below)
revision: draft, in   ISO secretary, approver, its author,    ISO secretary, approver, its author,
review, approved      members of the owner unit               process owners of the owner unit
master list           everyone (documents in force)           —
case                  ISO secretary, approver; own units'     the same people, if their role handles
                      cases, cases at a step of an own unit,  cases (staff, process owner, approver,
                      cases assigned to the user; auditors:   secretary); viewers and auditors never
                      cases of the audited units
on-time dashboard,    ISO secretary, approver: every unit;    —
export, printout      others: the own units (auditors: also
                      the audited units)
audit programme       everyone (the plan is communicated to   ISO secretary, approver (role checks)
                      the whole organisation)
audit (plan,          ISO secretary, approver; its lead       its lead auditor / the secretary (the
checklist, findings,  auditor and team; members of the        transitions' own checks)
report, printouts)    audited units (the auditee)
nonconformity and     ISO secretary, approver; own units'     the same people, by role: analysis and
its corrective        NCs; NCs or actions owned by the user;  actions by the unit, acceptance and
actions               auditors: NCs raised by their audits    verification by auditor or secretary
                      or detected by them
record types          everyone (the register's catalogue)     ISO secretary
kept record and file  ISO secretary, approver; records of     ISO secretary (archive, mark due),
                      procedures owned by an own unit (for    approver (disposal)
                      auditors: an audited unit); records the
                      user stored
disposal minute       ISO secretary, approver                 approver (approving a disposal)
feedback (ratings,    the people who see its case; the        staff who handle feedback enter paper
complaint), and the   satisfaction index: as the on-time      forms and mark complaints on cases they
satisfaction index    dashboard (own units, audited units)    see; raising a nonconformity needs that
                                                              permission as well
quality objective     ISO secretary, approver; the whole      ISO secretary (setting, raising the NC of
                      organisation's objectives for everyone; a missed one also the approver); monthly
                      own units' objectives; those the user   values: the objective's owner or the ISO
                      owns; auditors: the audited units'      secretary
QMS scope, quality    published revisions: everyone signed    ISO secretary (writing, publishing),
policy                in; revisions in the making: ISO        approver (reviewing, approving);
                      secretary, approver                     acknowledging the policy: everyone
policy acknowledge-   ISO secretary, approver; each person    —
ments                 their own
management review     ISO secretary, approver: all; everyone  ISO secretary (prepares), its chair
                      else: reviews whose minutes are         (approves the minutes); actions: their
                      approved (the minutes and their         owner, verified by the secretary or an
                      actions are communicated to all)        approver
annual QMS report     ISO secretary, approver                 ISO secretary
risk or opportunity,  ISO secretary, approver; own units'     its owner and the ISO secretary (assess,
its assessments and   risks; risks the user owns or owns an   plan, move on); each treatment action by
treatment actions     action of; auditors: audited units'     its owner or the secretary, verified by
                      risks                                   the risk's owner, the secretary or an
                                                              approver, never the action's owner
admin site            ISO secretary (with staff status) and   —
                      superusers only
====================  ======================================  ==========================================

Viewers reach what the staff of their unit reach, and change nothing: they hold no permission that
changes anything, and every write checks one.

An object out of a user's reach answers 404, so that its existence is not disclosed either; an
object everyone may read but this user may not change (a published revision, a procedure, the audit
programme, a record type) answers 403 to a change.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audits.models import Audit, AuditProgramme, CorrectiveAction, Nonconformity
from cases.models import Case
from objectives.models import Objective
from processes.models import Procedure, ProcedureRevision, Step
from qms.models import PolicyAcknowledgement, QmsRevision
from records.models import DisposalMinute, KeptRecord, RecordType
from reviews.models import ManagementReview, ReviewAction
from satisfaction.models import Feedback
from risks.models import Risk, RiskAction

from .models import OrgUnit, Role, User

#: Roles that see the whole organisation.
ORGANISATION_WIDE_ROLES = (Role.ISO_SECRETARY, Role.APPROVER)
#: Roles whose reach is their own unit and the units below it.
UNIT_ROLES = (Role.PROCESS_OWNER, Role.STAFF, Role.VIEWER)
#: Revisions in these states are published documents, readable by everyone.
PUBLISHED_STATES = (
    ProcedureRevision.State.EFFECTIVE,
    ProcedureRevision.State.SUPERSEDED,
    ProcedureRevision.State.WITHDRAWN,
)


@dataclass(frozen=True)
class Reach:
    """What one user reaches, computed once per request from their roles and unit."""

    user_id: int | None
    everything: bool
    #: The user's own unit and every unit below it (for the unit roles).
    units: frozenset[int]
    #: The audits the user is on, as lead auditor or team member (for internal auditors).
    audits: frozenset[int]
    #: The units of those audits and every unit below them.
    audited_units: frozenset[int]
    is_process_owner: bool


def reach(user: User) -> Reach:
    """The reach of ``user``, cached on the instance (one request, one computation)."""
    cached = getattr(user, "_access_reach", None)
    if cached is not None:
        return cached
    if not (user and user.is_authenticated and user.is_active):
        result = Reach(None, False, frozenset(), frozenset(), frozenset(), False)
    elif user.is_superuser or any(user.has_role(role) for role in ORGANISATION_WIDE_ROLES):
        result = Reach(user.pk, True, frozenset(), frozenset(), frozenset(), True)
    else:
        units: set[int] = set()
        if user.unit_id and any(role in user.roles for role in UNIT_ROLES):
            units = OrgUnit.objects.with_descendants([user.unit_id])
        audits: set[int] = set()
        audited_units: set[int] = set()
        if Role.INTERNAL_AUDITOR in user.roles:
            audits = set(
                Audit.objects.filter(Q(lead_auditor=user) | Q(team=user)).values_list("pk", flat=True).distinct()
            )
            if audits:
                direct = Audit.units.through.objects.filter(audit_id__in=audits).values_list("orgunit_id", flat=True)
                audited_units = OrgUnit.objects.with_descendants(set(direct))
        result = Reach(
            user.pk, False, frozenset(units), frozenset(audits), frozenset(audited_units),
            Role.PROCESS_OWNER in user.roles,
        )
    if user is not None:
        user._access_reach = result
    return result


class _WholeOrganisation:
    """The reader of figures that sum up the whole organisation (management-review inputs, the annual
    report): pages that are themselves kept to the secretary and the approvers. Never a person."""

    pk = None
    is_authenticated = is_active = False
    _access_reach = Reach(None, True, frozenset(), frozenset(), frozenset(), False)


#: Pass as ``user=`` to a selector for organisation-wide figures, never for a page a person reads.
WHOLE_ORGANISATION = _WholeOrganisation()


def may_use_admin(user: User) -> bool:
    """The admin site is for superusers and for the ISO secretary with staff status."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (user.is_staff and Role.ISO_SECRETARY in user.roles)


# Procedures and revisions


def procedures(user: User) -> QuerySet[Procedure]:
    """Every procedure: documented procedures are readable by all staff."""
    return Procedure.objects.all()


def procedures_changeable(user: User) -> QuerySet[Procedure]:
    """Procedures on which ``user`` may start a revision: all for the secretary and approvers,
    those of their own units for process owners."""
    r = reach(user)
    if r.everything:
        return Procedure.objects.all()
    if not r.is_process_owner:
        return Procedure.objects.none()
    return Procedure.objects.filter(owner_unit__in=r.units)


def revisions(user: User) -> QuerySet[ProcedureRevision]:
    """Published revisions for everyone; revisions in the making for the secretary, approvers,
    their author and the members of the owner unit (and the units above it)."""
    r = reach(user)
    if r.everything:
        return ProcedureRevision.objects.all()
    return ProcedureRevision.objects.filter(
        Q(state__in=PUBLISHED_STATES) | Q(author_id=r.user_id) | Q(procedure__owner_unit__in=r.units)
    )


def revisions_changeable(user: User) -> QuerySet[ProcedureRevision]:
    """Revisions ``user`` may edit or move on (the transitions check the role as well)."""
    r = reach(user)
    if r.everything:
        return ProcedureRevision.objects.all()
    mine = Q(author_id=r.user_id)
    if r.is_process_owner:
        mine |= Q(procedure__owner_unit__in=r.units)
    return ProcedureRevision.objects.filter(mine)


def is_expected_reader(user: User, revision: ProcedureRevision) -> bool:
    """Whether ``user`` belongs to the units that must read ``revision`` (its owner unit, the units
    of its steps, and the units below them)."""
    if not user.unit_id:
        return False
    units = {revision.procedure.owner_unit_id}
    units |= set(revision.steps.exclude(responsible_unit=None).values_list("responsible_unit", flat=True))
    return user.unit_id in OrgUnit.objects.with_descendants(units)


# Cases and the on-time indicators


def case_units(user: User) -> frozenset[int] | None:
    """The units whose cases count on ``user``'s dashboard; None means every unit."""
    r = reach(user)
    if r.everything:
        return None
    return r.units | r.audited_units


def cases(user: User) -> QuerySet[Case]:
    """Cases of the own units (or at a step of one, or assigned to the user), and for auditors the
    cases of the audited units."""
    r = reach(user)
    if r.everything:
        return Case.objects.all()
    units = r.units | r.audited_units
    # The steps as a subquery, not a join: each branch of the OR can then use its own index on
    # five million cases, where a joined OR is checked row by row.
    steps = Step.objects.filter(responsible_unit__in=r.units).values("pk")
    return Case.objects.filter(Q(unit__in=units) | Q(current_step__in=steps) | Q(assignee_id=r.user_id))


# Audits, nonconformities and corrective actions


def programmes(user: User) -> QuerySet[AuditProgramme]:
    """Every audit programme: the plan is communicated to the whole organisation."""
    return AuditProgramme.objects.all()


def audits(user: User) -> QuerySet[Audit]:
    """Audits the user is on, and audits of the own units (as auditee)."""
    r = reach(user)
    if r.everything:
        return Audit.objects.all()
    audited = Audit.units.through.objects.filter(orgunit_id__in=r.units).values("audit_id")
    return Audit.objects.filter(Q(pk__in=r.audits) | Q(pk__in=audited))


def nonconformities(user: User) -> QuerySet[Nonconformity]:
    """Nonconformities of the own units or owned by the user (or one of whose actions the user
    owns); for auditors those raised by their audits or detected by them."""
    r = reach(user)
    if r.everything:
        return Nonconformity.objects.all()
    owned_actions = CorrectiveAction.objects.filter(owner_id=r.user_id).values("nonconformity_id")
    return Nonconformity.objects.filter(
        Q(unit__in=r.units)
        | Q(owner_id=r.user_id)
        | Q(pk__in=owned_actions)
        | Q(finding__audit__in=r.audits)
        | Q(detected_by_id=r.user_id)
    )


def corrective_actions(user: User) -> QuerySet[CorrectiveAction]:
    """The actions of the nonconformities the user reaches."""
    r = reach(user)
    if r.everything:
        return CorrectiveAction.objects.all()
    return CorrectiveAction.objects.filter(nonconformity__in=nonconformities(user).values("pk"))


# Records register


def record_types(user: User) -> QuerySet[RecordType]:
    """Every record type: the register's catalogue, like the master list."""
    return RecordType.objects.all()


def kept_records(user: User) -> QuerySet[KeptRecord]:
    """Records of procedures owned by the own (or audited) units, and records the user stored."""
    r = reach(user)
    if r.everything:
        return KeptRecord.objects.all()
    return KeptRecord.objects.filter(
        Q(record_type__procedure__owner_unit__in=r.units | r.audited_units) | Q(created_by_id=r.user_id)
    )


def disposal_minutes(user: User) -> QuerySet[DisposalMinute]:
    """Disposal minutes list records of every unit: the secretary and the approvers only."""
    if reach(user).everything:
        return DisposalMinute.objects.all()
    return DisposalMinute.objects.none()


# Satisfaction


def feedbacks(user: User) -> QuerySet[Feedback]:
    """The feedback on the cases the user sees."""
    if reach(user).everything:
        return Feedback.objects.all()
    return Feedback.objects.filter(case__in=cases(user).values("pk"))


# Quality objectives


def objectives(user: User) -> QuerySet[Objective]:
    """The whole organisation's objectives for everyone; a unit's for its own units' members (and
    the auditors of that unit); the ones the user owns."""
    r = reach(user)
    if r.everything:
        return Objective.objects.all()
    if r.user_id is None:
        return Objective.objects.none()
    return Objective.objects.filter(
        Q(unit__isnull=True) | Q(unit__in=r.units | r.audited_units) | Q(owner_id=r.user_id)
    )


# The management system's own documents: its scope and context, its quality policy


def qms_revisions(user: User, model: type[QmsRevision]) -> QuerySet[QmsRevision]:
    """Published revisions of the scope or the policy for everyone signed in; the revisions in the
    making for the ISO secretary and the approvers only."""
    r = reach(user)
    if r.everything:
        return model.objects.all()
    if r.user_id is None:
        return model.objects.none()
    return model.objects.filter(state__in=PUBLISHED_STATES)


def qms_revisions_changeable(user: User, model: type[QmsRevision]) -> QuerySet[QmsRevision]:
    """Revisions of the scope or the policy ``user`` may edit or move on: the secretary's and the
    approvers' (the transitions check the role as well)."""
    return model.objects.all() if reach(user).everything else model.objects.none()


def policy_acknowledgements(user: User) -> QuerySet[PolicyAcknowledgement]:
    """Who has read the policy: the secretary and approvers see everyone, others their own."""
    r = reach(user)
    if r.everything:
        return PolicyAcknowledgement.objects.all()
    return PolicyAcknowledgement.objects.filter(user_id=r.user_id)


# Management reviews and the annual report


def management_reviews(user: User) -> QuerySet[ManagementReview]:
    """Every review for the secretary and the approvers; for everyone else the reviews whose minutes
    are approved (agendas and drafts of minutes stay with the people who prepare and chair them)."""
    if reach(user).everything:
        return ManagementReview.objects.all()
    return ManagementReview.objects.filter(state=ManagementReview.State.MINUTES_APPROVED)


def review_actions(user: User) -> QuerySet[ReviewAction]:
    """The actions of the reviews ``user`` may read."""
    if reach(user).everything:
        return ReviewAction.objects.all()
    return ReviewAction.objects.filter(review__state=ManagementReview.State.MINUTES_APPROVED)


def may_read_annual_report(user: User) -> bool:
    """The annual report aggregates every unit's figures: the secretary and the approvers only."""
    return reach(user).everything


# Risks and opportunities


def risks(user: User) -> QuerySet[Risk]:
    """Risks of the own units, risks the user owns or owns a treatment action of; for auditors the
    risks of the audited units (clause 6.1 is audited there)."""
    r = reach(user)
    if r.everything:
        return Risk.objects.all()
    owned_actions = RiskAction.objects.filter(owner_id=r.user_id).values("risk_id")
    return Risk.objects.filter(
        Q(unit__in=r.units | r.audited_units) | Q(owner_id=r.user_id) | Q(pk__in=owned_actions)
    )


def risks_changeable(user: User) -> QuerySet[Risk]:
    """Risks ``user`` may edit, assess and plan the treatment of: every risk for the ISO secretary,
    the risks they own for the others (approvers included: they see all, change their own)."""
    if not (user and user.is_authenticated and user.is_active):
        return Risk.objects.none()
    if user.is_superuser or user.has_role(Role.ISO_SECRETARY):
        return Risk.objects.all()
    return Risk.objects.filter(owner_id=user.pk)
