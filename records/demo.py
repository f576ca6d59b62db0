"""The demo's records register (see iso.demo), made through the services as the secretary would.

The record types come from the effective procedures' "records to keep"; a few kept records are the
control sheets of finished cases and the reports of the internal audits, generated as the printouts
a secretary files. One paper record from three years ago is past its retention and waits, marked due
for disposal, for the approver's disposal minute.
"""

import datetime

from django.utils import timezone

from audits.models import Audit
from audits.pdf import audit_report_pdf
from cases.models import Case
from cases.pdf import control_sheet_pdf
from iso.demo import DemoOrganisation
from iso.models import Role

from . import services
from .models import RecordType

#: Where each keeper files its records, and how the agency destroys paper (demo data).
LOCATION = "Tủ lưu trữ hồ sơ — {keeper}"
DISPOSAL_METHOD = "Hủy bằng máy hủy tài liệu, có biên bản"
CONTROL_SHEET = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
AUDIT_REPORT = "Báo cáo đánh giá nội bộ"
CONTROL_SHEETS_PER_PROCEDURE = 3


def load_records(organisation: DemoOrganisation) -> None:
    """The register filled from the procedures, with generated and paper records; skipped if any type exists."""
    if RecordType.objects.exists():
        return
    secretary = organisation.users[Role.ISO_SECRETARY]
    services.record_types_sync(by=secretary)
    for record_type in RecordType.objects.all():
        services.record_type_update(
            record_type=record_type, by=secretary,
            location=LOCATION.format(keeper=record_type.keeper or "Thư ký ISO"), disposal_method=DISPOSAL_METHOD,
        )
    for record_type in RecordType.objects.filter(name=CONTROL_SHEET).select_related("procedure"):
        finished = (
            Case.objects.filter(revision__procedure=record_type.procedure, state=Case.State.COMPLETED)
            .order_by("-resolved_at")[:CONTROL_SHEETS_PER_PROCEDURE]
        )
        for case in finished:
            services.kept_record_store(
                record_type=record_type, title=f"{CONTROL_SHEET} {case.reference}", content=control_sheet_pdf(case),
                filename=f"{case.reference}.pdf", record_date=timezone.localdate(case.resolved_at), subject=case,
                by=secretary,
            )
    report_type = RecordType.objects.filter(name=AUDIT_REPORT).first()
    if report_type is not None:
        for audit in Audit.objects.filter(state__in=[Audit.State.REPORTED, Audit.State.CLOSED]).order_by("planned_start"):
            services.kept_record_store(
                record_type=report_type, title=f"{AUDIT_REPORT} {audit.reference}", content=audit_report_pdf(audit),
                filename=f"{audit.reference}-report.pdf", record_date=audit.planned_end, subject=audit, by=secretary,
            )
    _paper_record_due_for_disposal(secretary)


def _paper_record_due_for_disposal(secretary) -> None:
    """A paper register from three years ago, past its retention, archived and marked due."""
    record_type = (
        RecordType.objects.filter(retention_years__isnull=False, retention_years__lte=2).order_by("code").first()
    )
    if record_type is None:
        return
    year = timezone.localdate().year - 3
    record = services.kept_record_store(
        record_type=record_type, title=f"{record_type.name} năm {year} (bản giấy)", content=None,
        record_date=datetime.date(year, 12, 31), by=secretary,
    )
    for transition in ("archive", "mark_due"):
        record = services.kept_record_transition(record=record, name=transition, by=secretary)
