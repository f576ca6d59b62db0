"""Two auditors on the same checklist question: the one whose page was opened before the other's
save is told who saved it and when, and what they typed is not written over it."""

import datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from audits import services
from audits.models import ChecklistItem
from iso.models import Clause, OrgUnit, Role
from iso.workflows import transition_apply
from tests.factories import PASSWORD, OrgUnitFactory, UserFactory

from .conftest import SCREENSHOTS
from .test_pages import _switch_language

# serialized_rollback keeps the roles, permissions and clauses of the data migrations for the next test.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(browser, live_server, username):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    WebDriverWait(browser, 20).until(lambda b: "/accounts/login/" not in b.current_url)


def test_an_answer_saved_on_a_page_opened_before_anothers_save_is_refused_with_who_and_when(browser, live_server):
    office = OrgUnitFactory(code="VP", name="Văn phòng UBND", kind=OrgUnit.Kind.AGENCY)
    audited = OrgUnitFactory(code="TP", name="Phòng Tư pháp")
    secretary = UserFactory(username="thuky", full_name="Nguyễn Thị Thu Hà", roles=[Role.ISO_SECRETARY], unit=office)
    lead = UserFactory(username="danhgia", full_name="Đỗ Minh Tuấn", roles=[Role.INTERNAL_AUDITOR], unit=office)
    colleague = UserFactory(username="danhgia2", full_name="Nguyễn Thị Phương Thảo", roles=[Role.INTERNAL_AUDITOR], unit=office)
    today = datetime.date.today()
    programme = services.programme_create(year=today.year, title="Chương trình đánh giá nội bộ", by=secretary)
    audit = services.audit_plan(
        programme=programme, by=secretary, reference="ĐG-01", title="Đánh giá Phòng Tư pháp", units=[audited],
        planned_start=today, planned_end=today, lead_auditor=lead, team=[colleague],
    )
    item = ChecklistItem.objects.create(
        audit=audit, position=1, question="Sổ đăng ký hộ tịch có được ghi đầy đủ, đúng quy định không?",
        clause=Clause.objects.get(number="7.5"),
    )
    audit = transition_apply(transition_apply(audit, "prepare", by=lead), "start", by=lead)

    _sign_in(browser, live_server, "danhgia")
    _switch_language(browser, "vi")
    browser.get(f"{live_server.url}{audit.get_absolute_url()}")
    form = browser.find_element(By.XPATH, f"//form[.//input[@name='item' and @value='{item.pk}']]")
    # Meanwhile the colleague records the same question from their own page.
    services.checklist_record(item=item, by=colleague, result="conforms", evidence="Sổ ghi đầy đủ 12 trường hợp.",
                              edit_version=0)
    form.find_element(By.NAME, "result").send_keys("Điểm lưu ý")
    form.find_element(By.NAME, "evidence").send_keys("Thiếu chữ ký người đi đăng ký ở 2 trường hợp.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(form))
    message = browser.find_element(By.CSS_SELECTOR, ".messages").text
    browser.save_screenshot(str(SCREENSHOTS / "stale-checklist-answer-vi.png"))

    assert "đã được Nguyễn Thị Phương Thảo thay đổi lúc" in message and "chưa được lưu" in message
    item.refresh_from_db()
    assert (item.result, item.evidence) == ("conforms", "Sổ ghi đầy đủ 12 trường hợp.")
