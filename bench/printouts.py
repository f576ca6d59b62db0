"""How fast the printouts render: an audit report with 500 findings and the control sheets of 1,000 cases.

    .venv/bin/python bench/printouts.py

Runs on a throwaway SQLite database (or DATABASE_URL) loaded with the demo organisation; the
extra findings and cases are written in bulk. Prints seconds, pages and pages per second.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")
if "DATABASE_URL" not in os.environ:
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="iso-bench-")) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from audits.models import Audit, Finding  # noqa: E402
from audits.pdf import audit_report_pdf  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.pdf import control_sheet_pdf  # noqa: E402
from iso.models import Clause, User  # noqa: E402


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    audit = Audit.objects.filter(state=Audit.State.CLOSED).order_by("pk").first()
    clauses = list(Clause.objects.filter(number__contains="."))
    unit = audit.units.first()
    recorder = User.objects.get(username="danhgia")
    start = (audit.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Finding.objects.bulk_create(
        Finding(audit=audit, number=start + i, kind=Finding.Kind.OBSERVATION, clause=clauses[i % len(clauses)], unit=unit,
                statement=f"Phát hiện số {start + i}: hồ sơ lưu chưa đúng thời hạn quy định tại quy trình.",
                evidence="Sổ theo dõi hồ sơ, trang 12; phỏng vấn công chức một cửa.", recorded_by=recorder)
        for i in range(500 - audit.findings.count())
    )
    started = time.perf_counter()
    report = audit_report_pdf(audit)
    seconds = time.perf_counter() - started
    count = pages(report)
    print(f"audit report, {audit.findings.count()} findings: {seconds:.2f} s, {count} pages, {count / seconds:.1f} pages/s")

    cases = list(Case.objects.order_by("pk")[:1000])
    started = time.perf_counter()
    sheets = [control_sheet_pdf(case) for case in cases]
    seconds = time.perf_counter() - started
    count = sum(pages(sheet) for sheet in sheets)
    print(f"control sheets of {len(cases)} cases: {seconds:.2f} s, {count} pages, {count / seconds:.1f} pages/s")


if __name__ == "__main__":
    main()
