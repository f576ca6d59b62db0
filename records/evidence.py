"""The evidence pack: one ZIP with what a certification body asks for over a period, and a
manifest that lets anyone check later that no file was changed or lost."""

import datetime
import functools
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PackFile:
    name: str
    description: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _period_bounds(start: datetime.date, end: datetime.date) -> dict:
    tz = timezone.get_current_timezone()
    return {
        "start": datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        "end": datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    }


def _nonconformity_register_xlsx(nonconformities) -> bytes:
    data = tablib.Dataset(headers=[
        str(h) for h in (_("Reference"), _("Detected on"), _("Source"), _("Severity"), _("Unit"), _("Description"),
                         _("State"), _("Owner"), _("Due date"), _("Corrective actions"))
    ])
    for nc in nonconformities:
        data.append([
            nc.reference, nc.detected_on.isoformat(), str(nc.get_source_display()), str(nc.get_severity_display()),
            nc.unit.name, nc.description, str(nc.get_state_display()), nc.owner.get_full_name() if nc.owner else "",
            nc.due_date.isoformat() if nc.due_date else "",
            "; ".join(f"{a.label} {a.get_state_display()}" for a in nc.actions.all()),
        ])
    return data.export("xlsx")


@dataclass(frozen=True)
class PlannedFile:
    """A file of the pack not rendered yet: the plan is counted first, so progress has a total."""

    name: str
    description: str
    render: Callable[[], bytes]

    def build(self) -> PackFile:
        return PackFile(self.name, self.description, self.render())


def pack_plan(*, start: datetime.date, end: datetime.date) -> list[PlannedFile]:
    """Every file of the pack for the period [start, end], in order, each rendered on demand."""
    from audits import pdf as audit_pdf
    from audits.models import Audit, AuditProgramme, Nonconformity
    from cases.pdf import indicator_report_pdf
    from processes import selectors as process_selectors
    from processes.pdf import master_list_pdf, revision_pdf
    from records.pdf import records_register_pdf
    from records.selectors import record_register

    plan = [PlannedFile("01-master-list.pdf", _("Master list of documents"), master_list_pdf)]
    for procedure in process_selectors.master_list():
        revision = procedure.effective_revisions[0]
        plan.append(PlannedFile(
            f"02-procedures/{procedure.code}-rev{revision.number}.pdf",
            _("%(code)s revision %(number)s, effective") % {"code": procedure.code, "number": revision.number},
            functools.partial(revision_pdf, revision),
        ))
    for programme in AuditProgramme.objects.filter(year__gte=start.year, year__lte=end.year).order_by("year"):
        plan.append(PlannedFile(
            f"03-audits/programme-{programme.year}.pdf", programme.title,
            functools.partial(audit_pdf.programme_pdf, programme),
        ))
    audits = Audit.objects.filter(
        planned_start__lte=end, planned_end__gte=start, state__in=[Audit.State.REPORTED, Audit.State.CLOSED]
    ).order_by("planned_start", "reference")
    for audit in audits:
        plan.append(PlannedFile(
            f"03-audits/{audit.reference}-report.pdf", str(audit), functools.partial(audit_pdf.audit_report_pdf, audit)
        ))
    nonconformities = (
        Nonconformity.objects.filter(detected_on__gte=start, detected_on__lte=end)
        .select_related("unit", "owner").prefetch_related("actions__nonconformity").order_by("year", "number")
    )
    plan += [
        PlannedFile("04-nonconformities.xlsx", _("Register of nonconformities and corrective actions"),
                    functools.partial(_nonconformity_register_xlsx, nonconformities)),
        PlannedFile("04-nonconformities.pdf", _("Register of nonconformities and corrective actions"),
                    functools.partial(audit_pdf.nonconformity_register_pdf, nonconformities)),
        PlannedFile("05-on-time-report.pdf", _("On-time indicator report"),
                    functools.partial(indicator_report_pdf, scope={"unit": None, "procedure": None, **_period_bounds(start, end)})),
        PlannedFile("06-records-register.pdf", _("Register of quality records"),
                    functools.partial(records_register_pdf, record_register())),
    ]
    return plan


def pack_files(*, start: datetime.date, end: datetime.date) -> list[PackFile]:
    """Every file of the pack for the period [start, end]."""
    return [planned.build() for planned in pack_plan(start=start, end=end)]


#: ``progress(done, total, message)``, called after each file is added to the pack.
Progress = Callable[[int, int, str], None]


def evidence_pack_write(*, start: datetime.date, end: datetime.date, out: BinaryIO, progress: Progress | None = None) -> int:
    """Write the ZIP of the period's evidence with its manifest (name, what it is, size, SHA-256)
    to ``out``, one file at a time, reporting progress after each; returns the number of files."""
    plan = pack_plan(start=start, end=end)
    total = len(plan) + 1  # and the manifest
    if progress:
        progress(0, total, _("%(count)s files to add.") % {"count": total})
    entries = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, planned in enumerate(plan, start=1):
            f = planned.build()
            archive.writestr(f.name, f.content)
            entries.append({"name": f.name, "description": str(f.description), "bytes": len(f.content), "sha256": f.sha256})
            if progress:
                progress(done, total, _("Added %(name)s.") % {"name": f.name})
        manifest = {
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "files": entries,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    if progress:
        progress(total, total, _("Added %(name)s.") % {"name": MANIFEST})
    return len(entries)


def evidence_pack_build(*, start: datetime.date, end: datetime.date, progress: Progress | None = None) -> bytes:
    """The ZIP of the period's evidence with its manifest (name, what it is, size, SHA-256)."""
    buffer = io.BytesIO()
    evidence_pack_write(start=start, end=end, out=buffer, progress=progress)
    return buffer.getvalue()


def evidence_pack_verify(archive: zipfile.ZipFile) -> list[str]:
    """Every way the pack differs from its manifest, each naming the file; empty when intact."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        return [_("The pack has no %(manifest)s.") % {"manifest": MANIFEST}]
    problems = []
    listed = {entry["name"]: entry for entry in manifest["files"]}
    present = set(archive.namelist()) - {MANIFEST}
    for name, entry in listed.items():
        if name not in present:
            problems.append(_("%(name)s is missing.") % {"name": name})
        elif hashlib.sha256(archive.read(name)).hexdigest() != entry["sha256"]:
            problems.append(_("%(name)s was changed: its SHA-256 differs from the manifest.") % {"name": name})
    for name in sorted(present - set(listed)):
        problems.append(_("%(name)s is not in the manifest.") % {"name": name})
    return problems
