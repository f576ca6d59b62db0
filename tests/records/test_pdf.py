"""Printouts: Vietnamese survives intact, the frame is on every page, the key values are printed."""

import io
import unicodedata

import pytest
from django.urls import reverse
from django.utils.translation import override
from pypdf import PdfReader

from cases import services as case_services
from cases.pdf import apology_letter_pdf, control_sheet_pdf, official_date
from processes.pdf import revision_pdf

from ..cases.conftest import at, build_birth_registration
from ..factories import ProcedureFactory, ProcedureRevisionFactory, make_effective

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> list[str]:
    """The text of each page, NFC-normalised (extraction may decompose letters)."""
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def birth(unit, secretary, approver):
    procedure = ProcedureFactory(code="QT-06", title="Đăng ký khai sinh", owner_unit=unit)
    revision = ProcedureRevisionFactory(
        procedure=procedure, author=secretary,
        purpose="Quy định trình tự tiếp nhận và giải quyết hồ sơ đăng ký khai sinh đúng hẹn.",
        content="Thành phần hồ sơ: Tờ khai đăng ký khai sinh; Giấy chứng sinh.\n" * 60,
    )
    procedure.steps = build_birth_registration(revision, unit)
    procedure.revision = make_effective(revision, approver=approver, publisher=secretary)
    return procedure


def test_the_controlled_procedure_keeps_vietnamese_and_frames_every_page(birth):
    with override("en"):
        pages = pdf_text(revision_pdf(birth.revision))
    assert len(pages) >= 2
    whole = "\n".join(pages)
    assert "Quy định trình tự tiếp nhận và giải quyết hồ sơ đăng ký khai sinh đúng hẹn." in whole
    assert "Thẩm định" in whole and "1 working days" in whole
    for number, page in enumerate(pages, start=1):
        assert "Code: QT-06" in page
        assert f"Page {number} of {len(pages)}" in page
    assert "Văn phòng UBND".upper() in pages[0]  # the top unit's name heads every page


def test_the_control_sheet_lists_every_hand_over_with_its_timing(birth, staff):
    case = case_services.case_receive(procedure=birth, by=staff, applicant_name="Trần Thị Ánh", received_at=at("2026-05-18", "08:00"))
    case = case_services.case_move(case=case, to_step=birth.steps["XL"], by=staff, at=at("2026-05-18", "09:00"))
    with override("en"):
        (page,) = pdf_text(control_sheet_pdf(case))
    page = page.replace("\n", " ")  # table cells wrap
    assert "QT-06-260518-0001" in page and "Trần Thị Ánh" in page
    assert "TN Tiếp nhận hồ sơ" in page and "On time" in page
    assert "18/05/2026 09:00" in page and "19/05/2026 14:00" in page


def test_the_apology_letter_follows_the_official_layout(birth, staff, settings):
    settings.ORGANISATION_PLACE = "Quang Trung"
    case = case_services.case_receive(procedure=birth, by=staff, applicant_name="Trần Thị Ánh", received_at=at("2026-05-18", "08:00"))
    case_services.case_apologise(case=case, by=staff, reason="Cần xác minh thông tin hộ tịch",
                                 new_due_at=at("2026-05-21", "10:00"), at=at("2026-01-05", "09:00"))
    case.refresh_from_db()
    with override("vi"):
        (page,) = pdf_text(apology_letter_pdf(case))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert "Độc lập - Tự do - Hạnh phúc" in page
    assert "Cần xác minh thông tin hộ tịch" in page
    assert "21/05/2026 10:00" in page


def test_official_dates_have_leading_zeros_for_small_days_and_january_and_february():
    import datetime

    with override("vi"):
        assert official_date(datetime.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
        assert official_date(datetime.date(2026, 11, 23)) == "ngày 23 tháng 11 năm 2026"
        assert official_date(datetime.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"


def test_print_links_open_a_pdf_in_the_browser_under_a_sensible_name(client, birth, staff):
    client.force_login(staff)
    response = client.get(reverse("processes:revision_print", args=["QT-06", birth.revision.number]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="QT-06-rev{birth.revision.number}.pdf"'
    case = case_services.case_receive(procedure=birth, by=staff, applicant_name="An")
    response = client.get(reverse("cases:case_control_sheet_print", args=[case.reference]))
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("cases:case_apology_print", args=[case.reference])).status_code == 404


def test_the_master_list_and_the_indicator_report_print_their_figures(client, birth, staff):
    case = case_services.case_receive(procedure=birth, by=staff, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    case = case_services.case_move(case=case, to_step=birth.steps["XL"], by=staff, at=at("2026-05-18", "09:00"))
    case_services.case_move(case=case, to_step=birth.steps["KQ"], by=staff, at=at("2026-05-18", "16:00"))
    client.force_login(staff)
    master = pdf_text(client.get(reverse("processes:master_list_print")).content)[0].replace("\n", " ")
    assert "QT-06" in master and "Đăng ký khai sinh" in master
    response = client.get(reverse("cases:dashboard_print"), {"start": "2026-05-01", "end": "2026-05-31"}, HTTP_ACCEPT_LANGUAGE="en")
    report = " ".join(pdf_text(response.content)).replace("\n", " ")
    assert "Cases received from 01/05/2026 to 31/05/2026" in report
    assert "On-time rate: 100.00% = resolved early or on time (1) ÷ cases resolved" in report


def test_every_audit_printout_opens_as_a_pdf_with_its_key_values(client, secretary):
    from django.core.management import call_command

    from audits.models import Audit, AuditProgramme, Nonconformity

    call_command("load_demo", verbosity=0, force=True)  # beside the users of the fixtures
    client.force_login(secretary)
    programme = AuditProgramme.objects.order_by("year").first()
    audit = Audit.objects.filter(state="closed", programme=programme).order_by("reference").first()
    nonconformity = Nonconformity.objects.filter(state="closed").order_by("reference").first()
    printouts = [
        (reverse("audits:programme_print", args=[programme.year]), programme.title),
        (reverse("audits:audit_print", args=[audit.reference, "plan"]), audit.reference),
        (reverse("audits:audit_print", args=[audit.reference, "checklist"]), audit.checklist_items.first().question[:25]),
        (reverse("audits:audit_print", args=[audit.reference, "report"]), audit.summary[:25]),
        (reverse("audits:nonconformity_print", args=[nonconformity.reference]), nonconformity.root_cause[:25]),
    ]
    for url, expected in printouts:
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf", url
        assert expected in " ".join(pdf_text(response.content)).replace("\n", " "), url
