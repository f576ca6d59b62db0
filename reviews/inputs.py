"""The inputs of a management review (ISO 9001:2015 clause 9.3.2), one provider each.

A provider is one entry of :data:`PROVIDERS`: a key, the item of 9.3.2 it answers, a title, and
``gather(start, end)`` for the period [start, end] (dates, both included). It returns a
:class:`Gathered` (a JSON-serialisable snapshot and a short summary sentence). Gathering a review (``reviews.services.review_gather``) freezes each
snapshot into an agenda item; the annual report (``reviews.report``) runs the same providers over a
calendar year.

A snapshot is ``{"figures": [{"key", "label", "value"}], "tables": [{"key", "title", "header",
"rows", "row_keys"}]}``: labels in the language of whoever gathered, values as JSON numbers or
text, so that the page, the minutes, the report and its spreadsheet render every provider alike.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext, pgettext

from audits.models import Audit, CorrectiveAction, Finding, Nonconformity
from cases import selectors as case_selectors
from iso import access
from objectives.models import Objective
from objectives.selectors import objectives_report
from qms.selectors import context_changes as changes_between
from records.pdf import local_date
from risks.models import Band, RiskAction
from risks.selectors import level_changes, register_summary
from satisfaction.models import Feedback
from satisfaction.selectors import satisfaction_breakdown


@dataclass(frozen=True)
class Gathered:
    """What a provider found for a period: the snapshot to freeze and one sentence that sums it up."""

    data: dict = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True)
class Provider:
    key: str
    #: The item of clause 9.3.2 it answers, as printed: "9.3.2 c) 4)".
    clause: str
    title: Promise
    gather: Callable[[datetime.date, datetime.date], Gathered | None]
    #: Presented by hand at the meeting (no data in the tracker): gathering leaves it for the
    #: secretary to write.
    manual: bool = False


#: Every provider by key, in the order of clause 9.3.2 (the order of the agenda).
PROVIDERS: dict[str, Provider] = {}


def provider(key: str, clause: str, title: Promise, *, manual: bool = False):
    """Register the decorated ``gather(start, end)`` as the provider ``key``."""

    def register(gather):
        if key in PROVIDERS:
            raise ValueError(f"A review input named {key!r} is registered already.")
        PROVIDERS[key] = Provider(key=key, clause=clause, title=title, gather=gather, manual=manual)
        return gather

    return register


# Building snapshots


def plain(value):
    """A value as a snapshot keeps it: numbers as numbers (decimals rounded to 2 places), dates as
    the local short date, anything else as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(round(value, 2))
    if isinstance(value, datetime.date):
        return local_date(value)
    return str(value)


def figure(key: str, label, value) -> dict:
    return {"key": key, "label": str(label), "value": plain(value)}


def table(key: str, title, header: Sequence, rows: Iterable[Sequence], row_keys: Sequence[str] = ()) -> dict:
    """A table of a snapshot; ``row_keys`` name its rows for readers that look one up (the tests,
    the annual report)."""
    return {
        "key": key,
        "title": str(title),
        "header": [str(h) for h in header],
        "rows": [[plain(cell) for cell in row] for row in rows],
        "row_keys": list(row_keys),
    }


def snapshot(figures: Sequence[dict] = (), tables: Sequence[dict] = ()) -> dict:
    return {"figures": list(figures), "tables": list(tables)}


def figure_value(data: dict, key: str):
    """The value of figure ``key`` of a snapshot; None if it has none."""
    return next((f["value"] for f in data.get("figures", []) if f["key"] == key), None)


def table_counts(data: dict, key: str) -> dict[str, object]:
    """Table ``key`` of a snapshot as {row key: its last cell}."""
    found = next((t for t in data.get("tables", []) if t["key"] == key), None)
    if found is None:
        return {}
    return {row_key: row[-1] for row_key, row in zip(found["row_keys"], found["rows"], strict=False)}


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the local time zone: the moments of the period."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def _by_choice(queryset, name: str, choices) -> tuple[list[list], list[str]]:
    """Rows [label, count] for every choice of field ``name`` (zeros included) and their keys."""
    counted = dict(queryset.order_by().values_list(name).annotate(n=Count("pk")).values_list(name, "n"))
    return [[label, counted.get(value, 0)] for value, label in choices], [value for value, _label in choices]


def _rate(value) -> str:
    return f"{number_format(value, 2)}%" if value is not None else "—"


# a) Status of actions from previous management reviews


@provider("previous_actions", "9.3.2 a)", gettext_lazy("Status of actions from previous management reviews"))
def previous_actions(start, end):
    """The actions decided by the reviews met before the period's end that were not closed before
    its start: still open, done and awaiting verification, or verified within the period."""
    from .models import ManagementReview, ReviewAction

    first, after = period_bounds(start, end)
    actions = list(
        ReviewAction.objects.filter(
            review__state__in=[ManagementReview.State.HELD, ManagementReview.State.MINUTES_APPROVED],
            review__meeting_at__lt=after,
        )
        .exclude(verified_at__lt=first)
        .select_related("review", "owner")
        .order_by("review__meeting_at", "number")
    )
    State = ReviewAction.State
    count = {state: sum(a.state == state for a in actions) for state in State.values}
    still_open = count[State.PLANNED] + count[State.IN_PROGRESS]
    overdue = sum(a.is_overdue for a in actions)
    closed = count[State.VERIFIED_EFFECTIVE] + count[State.NOT_EFFECTIVE]
    data = snapshot(
        [
            figure("total", _("Actions from previous reviews"), len(actions)),
            figure("open", _("Not done yet"), still_open),
            figure("overdue", _("Overdue"), overdue),
            figure("done", _("Done, awaiting verification"), count[State.DONE]),
            figure("effective", _("Verified effective"), count[State.VERIFIED_EFFECTIVE]),
            figure("not_effective", _("Not effective"), count[State.NOT_EFFECTIVE]),
        ],
        [table(
            "actions", _("Actions from previous reviews"),
            [pgettext("tracked action", "Action"), _("Description"), _("Owner"), _("Due date"), _("State")],
            [[a.label, a.description, a.owner.get_full_name(), a.due_date,
              a.get_state_display() + (f" ({_('overdue')})" if a.is_overdue else "")] for a in actions],
            [a.label for a in actions],
        )],
    )
    if actions:
        summary = _("%(total)s actions from previous reviews: %(closed)s verified, %(done)s done awaiting verification, "
                    "%(open)s not done yet of which %(overdue)s overdue.") % {
            "total": len(actions), "closed": closed, "done": count[State.DONE], "open": still_open, "overdue": overdue,
        }
    else:
        summary = _("No action from previous reviews is open or was closed in the period.")
    return Gathered(data, summary)


# b) Changes in external and internal issues


@provider("context_changes", "9.3.2 b)", gettext_lazy("Changes in external and internal issues relevant to the QMS"))
def context_changes(start, end):
    """The issues and interested parties added, removed or changed between the scope and context in
    force at the start of the period and the one in force at its end (qms.selectors)."""
    changes = changes_between(user=access.WHOLE_ORGANISATION, start=start, end=end)
    rows, keys = [], []
    for kind, label, issues in (
        ("added", _("added"), changes.issues_added),
        ("removed", _("removed"), changes.issues_removed),
        ("changed", _("changed"), [new for _old, new in changes.issues_changed]),
    ):
        rows += [[label, issue.get_kind_display(), issue.description, issue.effect] for issue in issues]
        keys += [f"issue-{kind}-{issue.pk}" for issue in issues]
    party_rows, party_keys = [], []
    for kind, label, parties in (
        ("added", _("added"), changes.parties_added),
        ("removed", _("removed"), changes.parties_removed),
        ("changed", _("changed"), [new for _old, new in changes.parties_changed]),
    ):
        party_rows += [[label, party.party, party.requirements] for party in parties]
        party_keys += [f"party-{kind}-{party.pk}" for party in parties]
    issues_changed = len(changes.issues_added) + len(changes.issues_removed) + len(changes.issues_changed)
    parties_changed = len(changes.parties_added) + len(changes.parties_removed) + len(changes.parties_changed)
    data = snapshot(
        [figure("issues_changed", _("Issues added, removed or changed"), issues_changed),
         figure("parties_changed", _("Interested parties added, removed or changed"), parties_changed)],
        [table("issues", _("Changes in internal and external issues"),
               [_("Change"), _("Kind"), _("Issue"), _("Effect")], rows, keys),
         table("parties", _("Changes in interested parties"),
               [_("Change"), _("Interested party"), _("Requirements")], party_rows, party_keys)],
    )
    if changes.after is None:
        summary = _("No scope and context document was in force at the end of the period.")
    elif not changes.any:
        summary = _("The issues and interested parties did not change during the period.")
    else:
        summary = _("%(issues)s issues and %(parties)s interested parties were added, removed or changed "
                    "during the period.") % {"issues": issues_changed, "parties": parties_changed}
    return Gathered(data, summary)


# c) Performance and effectiveness of the QMS


@provider("satisfaction", "9.3.2 c) 1)", gettext_lazy("Customer satisfaction and feedback from interested parties"))
def satisfaction(start, end):
    """The satisfaction index of the feedback given in the period, per criterion, and the complaints
    received (satisfaction.selectors)."""
    breakdown = satisfaction_breakdown(start=start, end=end)
    complaints = Feedback.objects.filter(is_complaint=True, given_on__gte=start, given_on__lte=end)
    data = snapshot(
        [figure("index", _("Satisfaction index (%)"), breakdown.index),
         figure("responses", _("Responses"), breakdown.responses),
         figure("complaints", _("Complaints"), complaints.count()),
         figure("complaints_raised", _("Complaints that opened a nonconformity"),
                complaints.exclude(nonconformity=None).count())],
        [table("criteria", _("Satisfaction by criterion"),
               [_("Criterion"), _("Ratings"), _("Average score"), _("Satisfaction index (%)")],
               [[c.label, c.ratings, c.average, c.index] for c in breakdown.criteria],
               [str(c.key) for c in breakdown.criteria])],
    )
    if breakdown.index is None:
        summary = _("No feedback was given during the period.")
    else:
        summary = ngettext(
            "Satisfaction index %(index)s from %(responses)s response.",
            "Satisfaction index %(index)s from %(responses)s responses.", breakdown.responses,
        ) % {"index": _rate(breakdown.index), "responses": breakdown.responses}
    return Gathered(data, summary)


@provider("objectives", "9.3.2 c) 2)", gettext_lazy("Extent to which quality objectives have been met"))
def objectives(start, end):
    """The quality objectives of the years the period touches, each with its target, its value at
    the end of the period and whether it is met (objectives.selectors)."""
    report = objectives_report(user=access.WHOLE_ORGANISATION, start=start, end=end)
    data = snapshot(
        [figure(status, label, report.summary.get(status, 0)) for status, label in Objective.Status.choices],
        [table("objectives", _("Quality objectives"),
               [_("Objective"), _("Name"), _("Unit"), _("Target"), _("Value"), _("Status")],
               [[row.objective.reference, row.objective.name,
                 row.objective.unit.name if row.objective.unit else _("Whole organisation"),
                 row.objective.target_display, row.value_display, row.status_label] for row in report.rows],
               [row.objective.reference for row in report.rows])],
    )
    summary = _("%(met)s of %(count)s quality objectives met, %(at_risk)s at risk, %(missed)s missed.") % {
        "count": len(report.rows), **{status: report.summary.get(status, 0) for status in ("met", "at_risk", "missed")},
    }
    return Gathered(data, summary)


@provider("process_performance", "9.3.2 c) 3)", gettext_lazy("Process performance: cases resolved on time"))
def process_performance(start, end):
    """The on-time figures of the cases received in the period (cases.selectors), overall and by
    procedure and unit, with the rate's denominator named."""
    first, after = period_bounds(start, end)
    scope = {"start": first, "end": after}
    total = case_selectors.indicators_total(**scope)
    denominator = str(case_selectors.DENOMINATORS[total.denominator])
    header = [_("Group"), _("Received"), _("Resolved"), _("Early or on time"), _("Late"), _("Overdue now"),
              _("On-time rate (%)")]

    def rows(groups):
        return [[g.label, g.received, g.resolved, g.resolved_on_time, g.late, g.overdue, g.rate] for g in groups]

    by_procedure = case_selectors.indicators_by("procedure", **scope)
    by_unit = case_selectors.indicators_by("unit", **scope)
    data = snapshot(
        [
            figure("received", _("Cases received"), total.received),
            figure("resolved", _("Cases resolved"), total.resolved),
            figure("on_time", _("Resolved early or on time"), total.resolved_on_time),
            figure("late", _("Resolved late"), total.late),
            figure("in_progress", _("Still in progress"), total.in_progress),
            figure("overdue", _("Overdue now"), total.overdue),
            figure("rate", _("On-time rate over %(denominator)s (%%)") % {"denominator": denominator}, total.rate),
        ],
        [
            table("by_procedure", _("By procedure"), header, rows(by_procedure), [str(g.key) for g in by_procedure]),
            table("by_unit", _("By unit"), header, rows(by_unit), [str(g.key) for g in by_unit]),
        ],
    )
    summary = _(
        "%(received)s cases received, %(resolved)s resolved, %(on_time)s early or on time: on-time rate %(rate)s "
        "of %(denominator)s; %(overdue)s overdue now."
    ) % {
        "received": total.received, "resolved": total.resolved, "on_time": total.resolved_on_time,
        "rate": _rate(total.rate), "denominator": denominator, "overdue": total.overdue,
    }
    return Gathered(data, summary)


@provider("nonconformities", "9.3.2 c) 4)", gettext_lazy("Nonconformities and corrective actions"))
def nonconformities(start, end):
    """The nonconformities detected in the period, by state, source and severity, and their
    corrective actions; overdue means open past the due date today."""
    today = timezone.localdate()
    found = Nonconformity.objects.filter(detected_on__gte=start, detected_on__lte=end)
    open_ = Q(state__in=Nonconformity.OPEN_STATES)
    counts = found.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=open_),
        closed=Count("pk", filter=Q(state=Nonconformity.State.CLOSED)),
        rejected=Count("pk", filter=Q(state=Nonconformity.State.REJECTED)),
        major=Count("pk", filter=Q(severity=Nonconformity.Severity.MAJOR)),
        overdue=Count("pk", filter=open_ & Q(due_date__lt=today)),
    )
    actions = CorrectiveAction.objects.filter(nonconformity__in=found.values("pk"))
    action_open = Q(state__in=CorrectiveAction.OPEN_STATES)
    action_counts = actions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=action_open),
        overdue=Count("pk", filter=action_open & Q(due_date__lt=today)),
        effective=Count("pk", filter=Q(state=CorrectiveAction.State.VERIFIED_EFFECTIVE)),
        not_effective=Count("pk", filter=Q(state=CorrectiveAction.State.NOT_EFFECTIVE)),
    )
    by_state, state_keys = _by_choice(found, "state", Nonconformity.State.choices)
    by_source, source_keys = _by_choice(found, "source", Nonconformity.Source.choices)
    by_severity, severity_keys = _by_choice(found, "severity", Nonconformity.Severity.choices)
    by_action_state, action_keys = _by_choice(actions, "state", CorrectiveAction.State.choices)
    overdue = found.filter(open_, due_date__lt=today).select_related("unit").order_by("due_date", "reference")
    data = snapshot(
        [
            figure("total", _("Nonconformities detected"), counts["total"]),
            figure("major", _("of which major"), counts["major"]),
            figure("open", _("Still open"), counts["open"]),
            figure("overdue", _("Open past their due date"), counts["overdue"]),
            figure("closed", _("Closed"), counts["closed"]),
            figure("rejected", _("Rejected"), counts["rejected"]),
            figure("actions", _("Corrective actions"), action_counts["total"]),
            figure("actions_open", _("Corrective actions not done"), action_counts["open"]),
            figure("actions_overdue", _("Corrective actions overdue"), action_counts["overdue"]),
            figure("actions_effective", _("Verified effective"), action_counts["effective"]),
            figure("actions_not_effective", _("Not effective"), action_counts["not_effective"]),
        ],
        [
            table("by_source", _("By source"), [_("Source"), _("Number")], by_source, source_keys),
            table("by_severity", _("By severity"), [_("Severity"), _("Number")], by_severity, severity_keys),
            table("by_state", _("By state"), [_("State"), _("Number")], by_state, state_keys),
            table("actions_by_state", _("Corrective actions by state"), [_("State"), _("Number")], by_action_state,
                  action_keys),
            table("overdue", _("Open past their due date"), [_("Reference"), _("Unit"), _("Due date"), _("State")],
                  [[nc.reference, nc.unit.name, nc.due_date, nc.get_state_display()] for nc in overdue[:50]],
                  [nc.reference for nc in overdue[:50]]),
        ],
    )
    summary = ngettext(
        "%(total)s nonconformity detected (%(major)s major): %(closed)s closed, %(open)s open of which %(overdue)s "
        "overdue; %(actions)s corrective actions, %(actions_overdue)s overdue.",
        "%(total)s nonconformities detected (%(major)s major): %(closed)s closed, %(open)s open of which %(overdue)s "
        "overdue; %(actions)s corrective actions, %(actions_overdue)s overdue.",
        counts["total"],
    ) % {**counts, "actions": action_counts["total"], "actions_overdue": action_counts["overdue"]}
    return Gathered(data, summary)


@provider("monitoring", "9.3.2 c) 5)", gettext_lazy("Monitoring and measurement results: time spent in each step"))
def monitoring(start, end):
    """The working time the steps of the cases received in the period took against their allowance,
    slowest first (cases.selectors.step_loads)."""
    first, after = period_bounds(start, end)
    loads = case_selectors.step_loads(start=first, end=after)
    over = [load for load in loads if load.ratio is not None and load.ratio > 1]
    slowest = loads[:10]
    data = snapshot(
        [
            figure("steps", _("Steps measured"), len(loads)),
            figure("over_allowance", _("Steps slower than allowed on average"), len(over)),
        ],
        [table(
            "slowest", _("The slowest steps"),
            [_("Procedure"), _("Step"), _("Visits"), _("Average hours"), _("Hours allowed"), _("Late"),
             _("Time spent ÷ allowed")],
            [[load.procedure, f"{load.step} {load.name}", load.visits, load.average_hours, load.allowed_hours,
              load.late, load.ratio] for load in slowest],
            [f"{load.procedure}/{load.step}" for load in slowest],
        )],
    )
    if over:
        summary = _("%(count)s steps measured; %(over)s took longer than allowed on average, the slowest %(step)s "
                    "(%(ratio)s× its allowance).") % {
            "count": len(loads), "over": len(over), "step": f"{over[0].procedure} {over[0].step} {over[0].name}",
            "ratio": number_format(over[0].ratio, 2),
        }
    else:
        summary = _("%(count)s steps measured; none took longer than allowed on average.") % {"count": len(loads)}
    return Gathered(data, summary)


@provider("audits", "9.3.2 c) 6)", gettext_lazy("Audit results"))
def audit_results(start, end):
    """The internal audits planned to start in the period (cancelled ones left out), the findings
    recorded in it by type, and the nonconformities from external audits or inspections."""
    first, after = period_bounds(start, end)
    audits = (
        Audit.objects.filter(planned_start__gte=start, planned_start__lte=end)
        .exclude(state=Audit.State.CANCELLED)
        .prefetch_related("units")
        .annotate(finding_count=Count("findings"))
        .order_by("planned_start", "reference")
    )
    audits = list(audits)
    done = [a for a in audits if a.state in (Audit.State.REPORTED, Audit.State.CLOSED)]
    findings = Finding.objects.filter(recorded_at__gte=first, recorded_at__lt=after)
    by_kind, kind_keys = _by_choice(findings, "kind", Finding.Kind.choices)
    external = Nonconformity.objects.filter(
        source=Nonconformity.Source.EXTERNAL_AUDIT, detected_on__gte=start, detected_on__lte=end
    ).count()
    total_findings = sum(count for _label, count in by_kind)
    data = snapshot(
        [
            figure("audits", _("Internal audits"), len(audits)),
            figure("audits_done", _("Reported or closed"), len(done)),
            figure("findings", _("Findings"), total_findings),
            *[figure(f"kind_{key}", label, count) for key, (label, count) in zip(kind_keys, by_kind, strict=True)],
            figure("external", _("Nonconformities from external audits or inspections"), external),
        ],
        [
            table("audits", _("Internal audits"),
                  [_("Reference"), _("Title"), _("Audited units"), _("Dates"), _("State"), _("Findings")],
                  [[a.reference, a.title, ", ".join(u.name for u in a.units.all()),
                    f"{local_date(a.planned_start)}–{local_date(a.planned_end)}", a.get_state_display(),
                    a.finding_count] for a in audits],
                  [a.reference for a in audits]),
            table("findings_by_kind", _("Findings by type"), [_("Type"), _("Number")], by_kind, kind_keys),
        ],
    )
    summary = _("%(audits)s internal audits (%(done)s reported or closed); %(findings)s findings: %(kinds)s; "
                "%(external)s nonconformities from external audits or inspections.") % {
        "audits": len(audits), "done": len(done), "findings": total_findings,
        "kinds": "; ".join(f"{label}: {count}" for label, count in by_kind if count) or "—", "external": external,
    }
    return Gathered(data, summary)


@provider("external_providers", "9.3.2 c) 7)", gettext_lazy("Performance of external providers"), manual=True)
def external_providers(start, end):
    return Gathered()


# d) Adequacy of resources


@provider("resources", "9.3.2 d)", gettext_lazy("Adequacy of resources"), manual=True)
def resources(start, end):
    return Gathered()


# e) Effectiveness of actions taken to address risks and opportunities


@provider("risks", "9.3.2 e)", gettext_lazy("Effectiveness of actions taken to address risks and opportunities"))
def risks(start, end):
    """The register at the end of the period by kind and band, the levels that moved during it, and
    the treatment actions judged effective or not in it (risks.selectors)."""
    who = access.WHOLE_ORGANISATION
    summary_at_end = register_summary(user=who, at=end)
    changes = level_changes(user=who, start=start, end=end)
    first, after = period_bounds(start, end)
    verified = dict(
        RiskAction.objects.filter(verified_at__gte=first, verified_at__lt=after)
        .order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    moved = {direction: sum(1 for c in changes if c.direction == direction) for direction in ("new", "up", "down")}
    bands = [label for _value, label in Band.choices] + [_("Not assessed")]
    data = snapshot(
        [figure("open", _("Open risks and opportunities at the end of the period"), summary_at_end.total),
         figure("assessed_first", _("Assessed for the first time"), moved["new"]),
         figure("level_up", _("Levels raised"), moved["up"]),
         figure("level_down", _("Levels lowered"), moved["down"]),
         figure("actions_effective", _("Treatment actions verified effective"),
                verified.get(RiskAction.State.VERIFIED_EFFECTIVE, 0)),
         figure("actions_not_effective", _("Treatment actions found not effective"),
                verified.get(RiskAction.State.NOT_EFFECTIVE, 0)),
         figure("actions_open", _("Treatment actions open"), summary_at_end.open_actions),
         figure("actions_overdue", _("Treatment actions overdue"), summary_at_end.overdue_actions),
         figure("reviews_overdue", _("Risk reviews overdue"), summary_at_end.overdue_reviews)],
        [table("by_band", _("Open risks and opportunities by level"), [_("Kind"), *bands, _("Total")],
               [[label, *counts, total] for _kind, label, counts, total in summary_at_end.table()],
               [kind for kind, _label, _counts, _total in summary_at_end.table()]),
         table("level_changes", _("Changes of level"),
               [_("Risk"), _("Title"), _("Date"), _("From"), _("To")],
               [[c.risk.reference, c.risk.title, c.assessment.assessed_on,
                 c.old_level if c.old_level is not None else "—", c.new_level] for c in changes],
               [c.risk.reference for c in changes])],
    )
    summary = _("%(open)s risks and opportunities open; %(down)s levels lowered and %(up)s raised during the period; "
                "%(effective)s treatment actions verified effective, %(not_effective)s not effective.") % {
        "open": summary_at_end.total, "down": moved["down"], "up": moved["up"],
        "effective": verified.get(RiskAction.State.VERIFIED_EFFECTIVE, 0),
        "not_effective": verified.get(RiskAction.State.NOT_EFFECTIVE, 0),
    }
    return Gathered(data, summary)


# f) Opportunities for improvement


@provider("improvement", "9.3.2 f)", gettext_lazy("Opportunities for improvement"))
def improvement(start, end):
    """The findings of type "opportunity for improvement" recorded in the period, with the response."""
    first, after = period_bounds(start, end)
    found = list(
        Finding.objects.filter(kind=Finding.Kind.IMPROVEMENT, recorded_at__gte=first, recorded_at__lt=after)
        .select_related("audit", "unit", "clause")
        .order_by("recorded_at", "pk")
    )
    data = snapshot(
        [figure("count", _("Opportunities for improvement found"), len(found))],
        [table("findings", _("Opportunities for improvement"),
               [_("Finding"), _("Unit"), _("Clause"), _("Statement"), _("Response")],
               [[f.label, f.unit.name, f.clause.number, f.statement, f.response or "—"] for f in found],
               [f.label for f in found])],
    )
    summary = ngettext(
        "%(count)s opportunity for improvement found in audits.",
        "%(count)s opportunities for improvement found in audits.", len(found),
    ) % {"count": len(found)}
    return Gathered(data, summary)


def gather(key: str, start: datetime.date, end: datetime.date) -> Gathered:
    """Run provider ``key`` over [start, end]."""
    return PROVIDERS[key].gather(start, end)
