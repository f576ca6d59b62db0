"""The satisfaction kiosk on a tablet held upright: big boxes to touch, Vietnamese by default."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from satisfaction.models import Feedback
from satisfaction.tokens import case_token
from tests.factories import ResolvedCaseFactory

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: A 10-inch tablet in portrait, in CSS pixels.
TABLET = (768, 1024)
#: The smallest comfortable touch target (WCAG 2.5.5 asks for 44 CSS pixels).
TOUCH = 44


def _submit(browser, selector):
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(page))


def test_an_applicant_rates_a_dossier_on_a_tablet(browser, live_server):
    case = ResolvedCaseFactory(reference="QT-06-261120-0042", procedure__title="Đăng ký khai sinh")
    browser.delete_all_cookies()
    browser.set_window_size(*TABLET)
    try:
        browser.get(f"{live_server.url}/satisfaction/kiosk/")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
        browser.save_screenshot(str(SCREENSHOTS / "vi-kiosk-tablet.png"))
        code_field = browser.find_element(By.NAME, "code")
        assert code_field.size["height"] >= TOUCH
        browser.find_element(By.NAME, "case").send_keys(case.reference)
        code_field.send_keys(case_token(case).lower())
        _submit(browser, "button.big")

        assert "Đăng ký khai sinh" in browser.find_element(By.CSS_SELECTOR, ".case-named").text
        boxes = browser.find_elements(By.CSS_SELECTOR, "label.score .box")
        assert len(boxes) == 30
        assert all(box.size["height"] >= TOUCH and box.size["width"] >= TOUCH for box in boxes)
        # The fifth box of each question: "very satisfied".
        for box in boxes[4::5]:
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
            box.click()
        height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(TABLET[0], height + 100)
        browser.save_screenshot(str(SCREENSHOTS / "vi-kiosk-tablet-rating.png"))
        _submit(browser, "button[name=rate]")

        assert browser.current_url.endswith("/satisfaction/kiosk/thanks/")
        feedback = Feedback.objects.get(case=case)
        assert sorted(feedback.ratings.values_list("score", flat=True)) == [5] * 6
    finally:
        browser.set_window_size(1280, 900)
