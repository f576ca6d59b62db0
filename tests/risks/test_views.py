"""Pages of the risk register: the register with its heat map (flat query counts), a risk's page
and what it posts, who sees and changes what, the printout, the export, the scale, the reminders."""

import csv
import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader

from audits.reminders import due_digest
from iso.models import Role, Signature, TransitionLog
from risks import services
from risks.models import Risk, RiskAction, RiskScale

from ..factories import UserFactory, make_risk, signed_post
from .conftest import TODAY, days

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _messages(response) -> list[str]:
    with override("en"):
        return [str(m) for m in response.context["messages"]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def pdf_text(content: bytes) -> str:
    """The printout's words, NFC-normalised, in one line (table cells wrap their text)."""
    pages = (unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(" ".join(pages).split())


# The register


def test_the_register_keeps_a_flat_query_count_with_its_heat_map(client, secretary, head, clerk, django_assert_max_num_queries):
    client.force_login(secretary)
    url = reverse("risks:risk_list")
    make_risk(owner=head, likelihood=3, impact=3)
    client.get(url)  # warm the caches of content types and permissions
    few = _queries(client, url)
    for number in range(30):
        risk = make_risk(owner=head if number % 2 else clerk, title=f"Rủi ro {number}", likelihood=1 + number % 5,
                         impact=1 + (number // 5) % 5)
        if number % 3 == 0 and risk.owner == head:
            services.risk_action_plan(risk=risk, by=head, description="Biện pháp", owner=clerk, due_date=days(9))
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.context["heat"].total == 31


def test_a_cell_of_the_heat_map_links_to_the_register_filtered_on_it(client, secretary, head):
    make_risk(owner=head, title="Lỗi phần mềm một cửa điện tử", likelihood=4, impact=4)
    make_risk(owner=head, title="Chờ lâu tại quầy", likelihood=2, impact=3)
    client.force_login(secretary)
    page = client.get(reverse("risks:risk_list"), {"kind": "risk"}).content.decode()
    assert 'href="?kind=risk&amp;likelihood=4&amp;impact=4"' in page
    response = client.get(reverse("risks:risk_list"), {"kind": "risk", "likelihood": 4, "impact": 4})
    assert [risk.title for risk in response.context["page"]] == ["Lỗi phần mềm một cửa điện tử"]
    # The map itself still shows every cell, the chosen one marked.
    assert response.context["heat"].total == 2
    assert 'class=" selected"' in response.content.decode()


def test_the_register_shows_an_overdue_review(client, secretary, head):
    make_risk(owner=head, title="Quá hạn xem xét", likelihood=2, impact=2, identified_on=days(-40), review_in_days=-3)
    client.force_login(secretary)
    page = client.get(reverse("risks:risk_list"), {"overdue": "on"}, **EN).content.decode()
    assert "Quá hạn xem xét" in page and "Review overdue" in page


# A risk's page and what it posts


def test_a_risk_is_entered_rated_from_its_form(client, head, one_stop):
    client.force_login(head)
    assert client.get(reverse("risks:risk_create")).status_code == 200
    response = client.post(reverse("risks:risk_create"), {
        "kind": "risk", "title": "Thất lạc hồ sơ giấy khi luân chuyển", "source": "process",
        "source_detail": "Chuyển hồ sơ giấy cho phòng chuyên môn", "unit": one_stop.pk, "owner": head.pk,
        "review_date": days(90).isoformat(), "likelihood": "2", "impact": "4", "note": "Một hồ sơ thất lạc 2 ngày",
    })
    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert (risk.reference, risk.level, risk.state) == (f"RR-{TODAY.year}-001", 8, Risk.State.ASSESSED)


def test_a_rating_off_the_scale_is_refused_on_the_form(client, head, one_stop):
    client.force_login(head)
    response = client.post(reverse("risks:risk_create"), {
        "kind": "risk", "title": "X", "source": "process", "unit": one_stop.pk, "owner": head.pk,
        "review_date": days(90).isoformat(), "likelihood": "7", "impact": "1",
    }, **EN)
    assert response.status_code == 200 and not Risk.objects.exists()
    assert response.context["form"].errors["likelihood"]


def test_the_owner_treats_a_risk_from_its_page_to_a_signed_verification(client, risk, head, clerk):
    url = lambda action: reverse("risks:risk_action", args=[risk.reference, action])  # noqa: E731
    client.force_login(head)
    client.post(url("assess"), {"likelihood": "3", "impact": "5", "next_review": days(60).isoformat(), "note": "Lỗi 3 lần"})
    client.post(url("plan_action"), {"description": "Phương án tiếp nhận giấy dự phòng", "owner": clerk.pk,
                                     "due_date": days(30).isoformat()})
    response = client.post(url("transition"), {"transition": "treat"}, follow=True, **EN)
    risk.refresh_from_db()
    assert (risk.level, risk.state) == (15, Risk.State.IN_TREATMENT), _messages(response)
    action = risk.actions.get()

    client.force_login(clerk)
    page = client.get(risk.get_absolute_url())
    [(row_action, transitions, _signatures)] = page.context["actions"]
    assert [t.name for t in transitions] == ["start"]
    client.post(url("action"), {"action": action.pk, "transition": "start"})
    client.post(url("action"), {"action": action.pk, "transition": "finish", "note": "Đã ban hành phương án"})
    RiskAction.objects.filter(pk=action.pk).update(completed_at=timezone.now() - datetime.timedelta(days=40))

    client.force_login(head)
    response = client.post(url("action"), {
        "action": action.pk, "transition": "verify_effective", "note": "Đã dùng khi phần mềm lỗi",
        **signed_post(Signature.Meaning.VERIFIED),
    }, follow=True, **EN)
    action.refresh_from_db()
    assert action.state == RiskAction.State.VERIFIED_EFFECTIVE, _messages(response)
    page = client.get(risk.get_absolute_url(), **EN).content.decode()
    assert "Signed electronically" in page and "Valid" in page
    assert [e.transition for e in TransitionLog.objects.for_object(risk).order_by("pk")] == ["assess", "treat"]


def test_the_page_shows_the_history_of_the_level_and_its_trend(client, risk, head):
    services.risk_assess(risk=risk, by=head, likelihood=3, impact=4, next_review=days(60), note="Đã có phương án")
    client.force_login(head)
    response = client.get(risk.get_absolute_url())
    assert [a.level for a in response.context["assessments"]] == [16, 12]
    trend = response.context["trend"]
    assert [p.level for p in trend["points"]] == [16, 12] and trend["points"][0].y < trend["points"][1].y
    # Coordinates keep their decimal point in Vietnamese too.
    assert 'points="8.0,' in client.get(risk.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def test_a_risks_page_keeps_a_flat_query_count(client, risk, head, clerk, django_assert_max_num_queries):
    services.risk_action_plan(risk=risk, by=head, description="Biện pháp đầu", owner=clerk, due_date=days(9))
    client.force_login(head)
    url = risk.get_absolute_url()
    client.get(url)
    few = _queries(client, url)
    for number in range(8):
        services.risk_action_plan(risk=risk, by=head, description=f"Biện pháp {number}", owner=clerk, due_date=days(9))
        services.risk_assess(risk=risk, by=head, likelihood=1 + number % 5, impact=2, next_review=days(30))
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# Who sees and changes what


def test_another_units_staff_do_not_find_the_risk(client, risk, lawyer):
    client.force_login(lawyer)
    assert client.get(risk.get_absolute_url()).status_code == 404
    assert client.post(reverse("risks:risk_action", args=[risk.reference, "assess"])).status_code == 404
    assert risk.title not in client.get(reverse("risks:risk_list")).content.decode()


def test_a_viewer_and_an_approver_read_but_do_not_change_anothers_risk(client, risk, one_stop, approver):
    viewer = UserFactory(roles=[Role.VIEWER], unit=one_stop)
    for person in (viewer, approver):
        client.force_login(person)
        assert client.get(risk.get_absolute_url()).status_code == 200
        for action in ("assess", "edit", "plan_action"):
            response = client.post(reverse("risks:risk_action", args=[risk.reference, action]),
                                   {"likelihood": "1", "impact": "1", "next_review": days(9).isoformat()})
            assert response.status_code == 403, (person, action)
    assert risk.assessments.count() == 1


def test_a_staff_member_sees_the_risk_whose_action_they_own_in_another_unit(client, risk, head, lawyer):
    services.risk_action_plan(risk=risk, by=head, description="Rà soát căn cứ pháp lý", owner=lawyer, due_date=days(9))
    client.force_login(lawyer)
    assert client.get(risk.get_absolute_url()).status_code == 200


# Printout, export, scale


def test_the_printed_register_keeps_vietnamese_and_shows_the_heat_map(client, secretary, risk, head):
    make_risk(owner=head, title="Tiếp nhận hồ sơ trực tuyến toàn trình", kind="opportunity", likelihood=4, impact=5)
    client.force_login(secretary)
    with override("en"):
        response = client.get(reverse("risks:risk_register_print"), **EN)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "REGISTER OF RISKS AND OPPORTUNITIES" in text
    assert "Lỗi phần mềm một cửa điện tử" in text and "Tiếp nhận hồ sơ trực tuyến toàn trình" in text
    assert risk.reference in text and "16 (Critical)" in text and "20 (Critical)" in text
    assert "Heat map of the open risks and opportunities (2 rated, 0 not yet rated)" in text
    vietnamese = pdf_text(client.get(reverse("risks:risk_register_print"), HTTP_ACCEPT_LANGUAGE="vi").content)
    assert "SỔ ĐĂNG KÝ RỦI RO VÀ CƠ HỘI" in vietnamese and "Bản đồ nhiệt các rủi ro và cơ hội đang mở" in vietnamese
    assert "Lỗi phần mềm một cửa điện tử" in vietnamese and "16 (Rất cao)" in vietnamese


def test_the_export_gives_the_readers_register_with_formulas_neutralised(client, head, clerk, lawyer):
    make_risk(owner=head, title="=HYPERLINK(\"http://x\")", likelihood=2, impact=5)
    make_risk(owner=lawyer, title="Văn bản pháp luật mới", likelihood=1, impact=1)
    client.force_login(clerk)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("risks:risk_export", args=["csv"])).content.decode("utf-8-sig"))))
    assert [(r["title"], r["level"], r["band"], r["unit"], r["owner"]) for r in rows] == [
        ("'=HYPERLINK(\"http://x\")", "10", "high", "MC", "truongbp")
    ]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("risks:risk_export", args=["xlsx"])).content))
    assert [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["'=HYPERLINK(\"http://x\")"]
    assert client.get(reverse("risks:risk_export", args=["pdf"])).status_code == 404


def test_only_the_secretary_changes_the_scale_from_its_page(client, secretary, head):
    client.force_login(head)
    assert client.get(reverse("risks:scale_edit")).status_code == 403
    client.force_login(secretary)
    response = client.post(reverse("risks:scale_edit"), {"size": 3, "medium_from": 6, "high_from": 4, "critical_from": 9}, **EN)
    assert response.status_code == 200 and "rising order" in response.content.decode()
    response = client.post(reverse("risks:scale_edit"), {"size": 3, "medium_from": 3, "high_from": 6, "critical_from": 9,
                                                          "likelihood_labels": "Thấp\nVừa\nCao"})
    assert response.status_code == 302
    assert RiskScale.objects.current().likelihood_names() == ["Thấp", "Vừa", "Cao"]


# Reminders


def test_the_home_page_and_the_digest_remind_the_owner_of_reviews_and_actions(client, head, clerk):
    late = make_risk(owner=head, title="Quá hạn xem xét", likelihood=2, impact=2, identified_on=days(-40), review_in_days=-3)
    services.risk_action_plan(risk=late, by=head, description="Lập sổ giao nhận", owner=clerk, due_date=days(-1))
    client.force_login(head)
    assert "Quá hạn xem xét" in client.get(reverse("home")).content.decode()
    with override("en"):
        message = due_digest(user=head, today=TODAY)
        clerks = due_digest(user=clerk, today=TODAY)
    assert message.subject == "ISO tracker: 1 item due or overdue"
    assert f"- {late.reference} (Assessed), review due {days(-3):%d/%m/%Y} — OVERDUE: Quá hạn xem xét" in message.body
    assert f"- {late.reference}/1 (Planned), due {days(-1):%d/%m/%Y} — OVERDUE: Lập sổ giao nhận" in clerks.body
    from audits.reminders import send_due_digests

    assert send_due_digests(today=TODAY) == 2 and len(mail.outbox) == 2
