"""The annual QMS report computed for a year, with worked-out figures, its red flags, its PDF in the
official layout (text extracted, Vietnamese intact) and its spreadsheet with numbers as numbers;
and the printed minutes of a review."""

import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader

from audits import services as audit_services
from audits.models import ChecklistItem
from iso.models import Clause
from iso.workflows import transition_apply
from processes import services as process_services
from reviews import services
from reviews.inputs import figure_value, table_counts
from reviews.pdf import annual_report_pdf, annual_report_xlsx, minutes_pdf
from reviews.report import annual_report
from reviews.selectors import red_flags

from ..factories import ProcedureFactory, ProcedureRevisionFactory, make_effective, signed
from .conftest import at, plan_review

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = 2025


def pdf_text(content: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def flat(pages: list[str]) -> str:
    """The pages as one line: extraction breaks lines where the layout wraps them."""
    return " ".join(" ".join(pages).split())


@pytest.fixture
def year_2025(unit, secretary, approver, lead, justice, staff):
    """2025 as worked out by hand: QT-01 issued new, QT-02 revised, QT-03 never in force; one audit
    reported; one review held with two actions still open (one overdue); two nonconformities, one
    from an inspection still open; and what falls in 2024 or 2026 besides."""
    new = ProcedureRevisionFactory(procedure=ProcedureFactory(code="QT-01", title="Tiếp nhận hồ sơ", owner_unit=unit), author=secretary)
    make_effective(new, approver=approver, publisher=secretary, effective_from=datetime.date(YEAR, 3, 1))
    revised = ProcedureFactory(code="QT-02", title="Chứng thực bản sao", owner_unit=unit)
    make_effective(ProcedureRevisionFactory(procedure=revised, author=secretary), approver=approver, publisher=secretary,
                   effective_from=datetime.date(YEAR - 1, 5, 1))
    second = process_services.revision_start(procedure=revised, by=secretary)
    make_effective(second, approver=approver, publisher=secretary, effective_from=datetime.date(YEAR, 6, 1))
    ProcedureRevisionFactory(procedure=ProcedureFactory(code="QT-03", title="Cấp phép xây dựng", owner_unit=unit), author=secretary)

    programme = audit_services.programme_create(year=YEAR, title="Chương trình 2025", by=secretary)
    audit = audit_services.audit_plan(
        programme=programme, by=secretary, reference="ĐG-2025-01", title="Đánh giá Phòng Tư pháp", units=[justice],
        planned_start=datetime.date(YEAR, 4, 10), planned_end=datetime.date(YEAR, 4, 10), lead_auditor=lead,
    )
    ChecklistItem.objects.create(audit=audit, position=1, question="Hồ sơ có đủ không?", clause=Clause.objects.get(number="7.5"))
    audit = transition_apply(transition_apply(audit, "prepare", by=lead), "start", by=lead)
    audit_services.audit_report(audit=audit, by=lead, summary="Hệ thống được duy trì.", signature=signed())

    for day, source in ((datetime.date(YEAR, 2, 1), "external_audit"), (datetime.date(YEAR, 12, 31), "complaint"),
                        (datetime.date(YEAR + 1, 1, 1), "complaint")):
        audit_services.nonconformity_raise(by=secretary, source=source, unit=unit, description="Sự việc", detected_on=day)

    review = plan_review(by=secretary, chair=approver, start=datetime.date(YEAR, 1, 1), end=datetime.date(YEAR, 11, 30),
                         meeting_at=at(f"{YEAR}-12-18", "08:00"), title="Họp xem xét của lãnh đạo năm 2025")
    review = services.review_hold(review=review, by=secretary)
    decision = services.decision_record(review=review, by=secretary, category="resources", text="Trang bị máy quét tài liệu")
    late = services.review_action_plan(review=review, by=secretary, decision=decision, description="Mua máy quét",
                                       owner=staff, due_date=datetime.date(YEAR, 12, 31))
    services.review_action_plan(review=review, by=secretary, description="Đào tạo công chức mới", owner=staff,
                                due_date=TODAY + datetime.timedelta(days=30))
    services.review_update(review=review, by=secretary, conclusion="Hệ thống phù hợp, được duy trì và có hiệu lực.")
    review = services.review_approve_minutes(review=review, by=approver, signature=signed())
    services.annual_report_save(year=YEAR, by=secretary, recipient="Sở Khoa học và Công nghệ tỉnh",
                                proposals="Đề nghị Sở tổ chức tập huấn đánh giá viên nội bộ.",
                                signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", signer_name="Lê Văn Duyệt")
    return review, late


def test_the_report_computes_the_years_figures(year_2025):
    _review, late = year_2025
    with override("en"):
        report = annual_report(year=YEAR)

    documents = report.section("documents").data
    assert {k: figure_value(documents, k) for k in ("in_force", "new", "revised", "withdrawn")} == {
        "in_force": 2, "new": 1, "revised": 1, "withdrawn": 0,
    }
    assert table_counts(documents, "published") == {"QT-01/0": "new", "QT-02/1": "revised"}
    audits = report.section("audits").data
    assert (figure_value(audits, "audits"), figure_value(audits, "audits_done")) == (1, 1)
    reviews = report.section("reviews").data
    assert {k: figure_value(reviews, k) for k in ("held", "approved", "actions", "actions_closed", "actions_open", "actions_overdue")} == {
        "held": 1, "approved": 1, "actions": 2, "actions_closed": 0, "actions_open": 2, "actions_overdue": 1,
    }
    nonconformities = report.section("nonconformities").data
    assert figure_value(nonconformities, "total") == 2
    assert table_counts(nonconformities, "by_source")["external_audit"] == 1
    assert figure_value(report.section("process_performance").data, "received") == 0
    assert figure_value(report.section("scope").data, "procedures") == 3
    # No objective was set and no risk recorded for the year: the sections say so.
    assert report.section("objectives").summary == "0 of 0 quality objectives met, 0 at risk, 0 missed."
    assert figure_value(report.section("risks").data, "open") == 0
    assert report.section("proposals").text == "Đề nghị Sở tổ chức tập huấn đánh giá viên nội bộ."
    assert report.red_flags == [
        "Procedures with no effective revision: QT-03.",
        "Inspection findings open for more than two months: NC-2025-001.",
        f"Actions of management reviews past their due date: {late.label}.",
    ]


def test_a_year_without_audit_or_review_is_flagged(db):
    with override("en"):
        assert red_flags(year=1999)[:2] == ["No internal audit was carried out in 1999.", "No management review was held in 1999."]


def test_the_report_prints_in_the_official_layout_with_its_key_figures(year_2025):
    with override("vi"):
        pages = pdf_text(annual_report_pdf(annual_report(year=YEAR)))
    text = flat(pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0] and "Độc lập - Tự do - Hạnh phúc" in pages[0]
    assert "BÁO CÁO" in text and "Tình hình duy trì, áp dụng hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 năm 2025" in text
    assert "Kính gửi: Sở Khoa học và Công nghệ tỉnh." in text
    assert "Cuối năm có 2 quy trình có hiệu lực; trong năm ban hành mới 1, sửa đổi 1, bãi bỏ 0 quy trình." in text
    assert "Đã tổ chức 1 cuộc họp xem xét của lãnh đạo; quyết định 2 hành động" in text
    assert "Quy trình chưa có bản ban hành có hiệu lực: QT-03." in text
    assert "Đề nghị Sở tổ chức tập huấn đánh giá viên nội bộ." in text
    assert "PHÓ CHỦ TỊCH" in text and "Lê Văn Duyệt" in text and "Nơi nhận:" in text
    if len(pages) > 1:
        assert pages[1].lstrip().startswith("2")  # page numbers at the top from page 2


def test_the_spreadsheet_has_a_sheet_per_part_with_numbers_as_numbers(year_2025):
    with override("vi"):
        book = openpyxl.load_workbook(io.BytesIO(annual_report_xlsx(annual_report(year=YEAR))))
    documents = book[next(name for name in book.sheetnames if name.startswith("2."))]
    rows = {row[0]: row[1] for row in documents.iter_rows(values_only=True) if row and row[0]}
    assert rows["Số quy trình có hiệu lực cuối năm"] == 2 and isinstance(rows["Số quy trình có hiệu lực cuối năm"], int)
    assert rows["Số quy trình ban hành mới"] == 1
    flags = book[book.sheetnames[-1]]
    assert "Quy trình chưa có bản ban hành có hiệu lực: QT-03." in [row[0] for row in flags.iter_rows(values_only=True)]
    assert len(book.sheetnames) == len(annual_report(year=YEAR).sections) + 1


def test_the_minutes_print_the_meeting_its_frozen_figures_decisions_actions_and_the_chairs_signature(year_2025):
    review, late = year_2025
    with override("vi"):
        pages = pdf_text(minutes_pdf(review))
    text = flat(pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0] and "Số: 01/BB-XXLĐ" in pages[0]
    assert "Quang Trung, ngày 18 tháng 12 năm 2025" in pages[0]
    assert "BIÊN BẢN" in pages[0] and "Họp xem xét của lãnh đạo về hệ thống quản lý chất lượng" in pages[0]
    assert "Kỳ xem xét: từ ngày 01/01/2025 đến ngày 30/11/2025." in text
    assert "Sự không phù hợp và hành động khắc phục (9.3.2 c) 4))" in text
    assert "Phát hiện 1 sự không phù hợp (0 nặng)" in text  # detected 1 Jan – 30 Nov: the inspection's only
    assert "Trang bị máy quét tài liệu" in text and "Mua máy quét" in text and "31/12/2025" in text
    assert "KẾT LUẬN CỦA CHỦ TRÌ" in text and "Hệ thống phù hợp, được duy trì và có hiệu lực." in text
    assert "THƯ KÝ" in text and "CHỦ TRÌ" in text and "Lê Văn Duyệt" in text and "đã ký điện tử" in text
    assert "DỰ THẢO" not in text and "Nơi nhận:" in text


def test_minutes_not_yet_approved_print_as_a_draft_without_signature(review):
    with override("vi"):
        text = flat(pdf_text(minutes_pdf(review)))
    assert "DỰ THẢO: biên bản chưa được phê duyệt." in text and "đã ký điện tử" not in text
