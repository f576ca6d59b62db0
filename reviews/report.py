"""The annual QMS report (báo cáo tình hình duy trì, áp dụng hệ thống quản lý chất lượng) that an
agency sends to its supervising body, computed for a calendar year from the review inputs
(reviews.inputs) and from the documents and reviews of the year."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iso.models import OrgUnit
from processes.models import Procedure, ProcedureRevision

from . import selectors
from .inputs import PROVIDERS, figure, snapshot, table
from .models import AnnualReport, ReviewAction


@dataclass
class Section:
    """One numbered part of the report: a summary sentence, a snapshot (figures and tables, the
    shape of reviews.inputs) and, for the parts written by hand, their text."""

    key: str
    title: str
    summary: str = ""
    data: dict = field(default_factory=dict)
    text: str = ""


@dataclass
class Report:
    year: int
    start: datetime.date
    end: datetime.date
    notes: AnnualReport
    sections: list[Section]
    red_flags: list[str]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _from_provider(key: str, title, start, end) -> Section:
    gathered = PROVIDERS[key].gather(start, end)
    return Section(key, str(title), gathered.summary, gathered.data)


def _scope(start, end) -> Section:
    """The extent of the system: active units, procedures by category; with the changes of context
    when the scope and context module is installed."""
    by_category = dict(Procedure.objects.order_by().values_list("category").annotate(n=Count("pk")))
    units = OrgUnit.objects.filter(is_active=True).count()
    rows = [[label, by_category.get(value, 0)] for value, label in Procedure.Category.choices]
    context = PROVIDERS["context_changes"].gather(start, end)
    data = snapshot(
        [figure("units", _("Units in the organisation"), units),
         figure("procedures", _("Documented procedures"), sum(by_category.values())),
         *context.data["figures"]],
        [table("procedures_by_category", _("Procedures by category"), [_("Category"), _("Number")], rows,
               list(Procedure.Category.values)),
         *context.data["tables"]],
    )
    summary = _("The quality management system covers %(units)s units and %(procedures)s documented procedures, "
                "%(administrative)s of them administrative procedures for citizens.") % {
        "units": units, "procedures": sum(by_category.values()),
        "administrative": by_category.get(Procedure.Category.ADMINISTRATIVE, 0),
    }
    return Section("scope", _("Scope of the quality management system"), summary, data)


def _documents(start, end) -> Section:
    """Revisions that came into force in the year (a procedure's first: new; a later one: revised),
    those withdrawn in it, and the procedures in force at its end."""
    earlier = ProcedureRevision.objects.filter(
        procedure=OuterRef("procedure"), effective_from__lt=OuterRef("effective_from")
    )
    published = list(
        ProcedureRevision.objects.filter(effective_from__gte=start, effective_from__lte=end)
        .annotate(revised=Exists(earlier))
        .select_related("procedure")
        .order_by("effective_from", "procedure__code")
    )
    withdrawn = ProcedureRevision.objects.filter(state=ProcedureRevision.State.WITHDRAWN, ended_on__gte=start, ended_on__lte=end)
    in_force = (
        ProcedureRevision.objects.filter(effective_from__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
        .values("procedure").distinct().count()
    )
    new = [r for r in published if not r.revised]
    revised = [r for r in published if r.revised]
    data = snapshot(
        [figure("in_force", _("Procedures in force at the end of the year"), in_force),
         figure("new", _("New procedures issued"), len(new)),
         figure("revised", _("Procedures revised"), len(revised)),
         figure("withdrawn", _("Procedures withdrawn"), withdrawn.count())],
        [table("published", _("Revisions that came into force"),
               [_("Code"), _("Procedure"), _("Revision"), _("Effective date"), _("Issued as")],
               [[r.procedure.code, r.procedure.title, r.number, r.effective_from,
                 _("revised") if r.revised else _("new")] for r in published],
               [f"{r.procedure.code}/{r.number}" for r in published])],
    )
    summary = _("%(in_force)s procedures in force at the end of the year; %(new)s issued new, %(revised)s revised, "
                "%(withdrawn)s withdrawn during the year.") % {
        "in_force": in_force, "new": len(new), "revised": len(revised), "withdrawn": withdrawn.count(),
    }
    return Section("documents", _("Documented procedures"), summary, data)


def _reviews(start, end) -> Section:
    """The reviews met in the year, and how far the actions they decided have gone."""
    held = list(selectors.reviews_held(start=start, end=end))
    actions = ReviewAction.objects.filter(review__in=[r.pk for r in held]).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(state__in=[ReviewAction.State.VERIFIED_EFFECTIVE, ReviewAction.State.NOT_EFFECTIVE])),
        open=Count("pk", filter=Q(state__in=ReviewAction.OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=ReviewAction.OPEN_STATES, due_date__lt=timezone.localdate())),
    )
    data = snapshot(
        [figure("held", _("Management reviews held"), len(held)),
         figure("approved", _("Minutes approved"), sum(r.state == r.State.MINUTES_APPROVED for r in held)),
         figure("actions", _("Actions decided"), actions["total"]),
         figure("actions_closed", _("Actions verified"), actions["closed"]),
         figure("actions_open", _("Actions not done yet"), actions["open"]),
         figure("actions_overdue", _("Actions overdue"), actions["overdue"])],
        [table("reviews", _("Management reviews"),
               [_("Reference"), _("Date"), _("Chair"), _("State"), _("Decisions")],
               [[r.reference, timezone.localtime(r.meeting_at).date(), r.chair.get_full_name(), r.get_state_display(), r.decision_count]
                for r in held],
               [r.reference for r in held])],
    )
    summary = _("%(count)s management reviews held; %(actions)s actions decided, %(closed)s verified, %(open)s not done "
                "yet of which %(overdue)s overdue.") % {"count": len(held), "actions": actions["total"], **actions}
    return Section("reviews", _("Management reviews"), summary, data)


#: The parts of the report computed by a review input, in the order they are printed.
PROVIDED_SECTIONS = {
    "audits": gettext_lazy("Internal audits"),
    "objectives": gettext_lazy("Quality objectives"),
    "process_performance": gettext_lazy("Resolution of cases on time"),
    "satisfaction": gettext_lazy("Satisfaction of citizens and organisations"),
    "nonconformities": gettext_lazy("Nonconformities and corrective actions"),
    "risks": gettext_lazy("Risks and opportunities"),
}


def annual_report(*, year: int) -> Report:
    """The report of ``year``: scope, documents, audits, reviews, objectives, on-time rates,
    satisfaction, nonconformities, risks, the red flags, and the proposals written by hand."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    notes = AnnualReport.objects.filter(year=year).first() or AnnualReport(year=year)
    sections = [_scope(start, end), _documents(start, end)]
    sections.append(_from_provider("audits", PROVIDED_SECTIONS["audits"], start, end))
    sections.append(_reviews(start, end))
    for key in ("objectives", "process_performance", "satisfaction", "nonconformities", "risks"):
        sections.append(_from_provider(key, PROVIDED_SECTIONS[key], start, end))
    sections.append(Section("proposals", _("Proposals and recommendations"), text=notes.proposals))
    return Report(year, start, end, notes, sections, selectors.red_flags(year=year))
