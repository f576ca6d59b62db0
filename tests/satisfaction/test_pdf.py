"""The case receipt carries the code for rating, the kiosk address and its QR code."""

import io
import unicodedata

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from satisfaction.tokens import case_token

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages)


@override_settings(SATISFACTION_KIOSK_URL="https://dichvucong.quangtrung.gov.vn/danh-gia/")
def test_the_receipt_prints_the_code_for_rating_and_the_kiosk_address(client, receive, clerk):
    case = receive("Trần Văn Bình")
    client.force_login(clerk)

    response = client.get(reverse("cases:case_receipt_print", args=[case.reference]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert case_token(case) in text
    assert "https://dichvucong.quangtrung.gov.vn/danh-gia/" in text
    assert case.reference in text and "Đăng ký khai sinh" in text and "Trần Văn Bình" in text
    # Vietnamese by default, with its diacritics intact.
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text.upper()
    # The QR code is drawn as vector shapes: the page holds many filled rectangles.
    content = PdfReader(io.BytesIO(response.content)).pages[0].get_contents().get_data()
    assert content.count(b" re") > 200


def test_the_receipt_of_a_case_out_of_reach_is_not_found(client, receive, unit):
    from iso.models import Role

    from ..factories import OrgUnitFactory, UserFactory

    case = receive()
    client.force_login(UserFactory(roles=[Role.STAFF], unit=OrgUnitFactory(code="XTL")))
    assert client.get(reverse("cases:case_receipt_print", args=[case.reference])).status_code == 404


def test_the_qr_code_opens_the_kiosk_with_both_codes_filled_in(receive, rf):
    from satisfaction.pdf import feedback_invitation
    from satisfaction.tokens import kiosk_link

    case = receive()
    request = rf.get("/")

    box = feedback_invitation(case, request=request)

    [widget] = box._cellvalues[0][1].contents
    assert widget.value == kiosk_link(case, request)
    assert f"case={case.reference}&code={case_token(case)}" in widget.value
