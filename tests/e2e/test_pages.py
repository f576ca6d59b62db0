"""The main pages as a person sees them, in Vietnamese and in English, on a laptop and a phone."""

import pytest
from django.core.management import call_command
from django.utils.translation import gettext, override
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from iso.demo import DEMO_PASSWORD

from .conftest import SCREENSHOTS

# The pages need the data of the migrations (roles, clauses); every transactional test restores it
# for the next one (serialized_rollback), whatever order they run in.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = [
    ("home", "/", None),
    ("procedures", "/procedures/", "Procedures"),
    ("procedure", "/procedures/QT-06/", None),
    ("revision", "/procedures/QT-06/revisions/{effective}/", None),
    ("master-list", "/procedures/master-list/", "Master list of documents"),
    ("compare", "/procedures/QT-01/revisions/compare/", "Compare revisions"),
    ("cases", "/cases/", "Cases"),
    ("case", "/cases/{case}/", None),
    ("intake", "/cases/new/", "Receive a case"),
    ("dashboard", "/cases/dashboard/", "On-time dashboard"),
    ("programmes", "/audits/", "Audit programmes"),
    ("programme", "/audits/{year}/", None),
    ("audit", "/audits/a/{audit}/", None),
    ("nonconformities", "/audits/nonconformities/", None),
    ("nonconformity", "/audits/nonconformities/{nc}/", None),
    ("risks", "/risks/", "Risks and opportunities"),
    ("risk", "/risks/r/{risk}/", None),
]


def _sign_in(browser, live_server, username):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    WebDriverWait(browser, 20).until(lambda b: "/accounts/login/" not in b.current_url)


def _switch_language(browser, code):
    browser.find_element(By.CSS_SELECTOR, f"button[name=language][value={code}]").click()
    # The page reloads: an element read during the reload goes stale, so the wait retries.
    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == code
    )


def test_main_pages_read_well_in_both_languages(browser, live_server):
    call_command("load_demo", verbosity=0)
    from audits.models import Audit, Nonconformity
    from cases.models import Case
    from processes.models import ProcedureRevision
    from risks.models import Risk

    effective = ProcedureRevision.objects.get(procedure__code="QT-06", state="effective").number
    case = Case.objects.filter(procedure__code="QT-06", state="in_progress").order_by("due_at").first().reference
    audit = Audit.objects.filter(state="in_progress").first()
    nc = Nonconformity.objects.filter(state="in_action").order_by("reference").first().reference
    risk = Risk.objects.filter(state="in_treatment").order_by("-level", "reference").first().reference
    _sign_in(browser, live_server, "thuky")
    for language in ("vi", "en"):
        _switch_language(browser, language)
        for name, path, heading in PAGES:
            browser.get(live_server.url + path.format(
                effective=effective, case=case, year=audit.programme.year, audit=audit.reference, nc=nc, risk=risk
            ))
            body = browser.find_element(By.TAG_NAME, "body").text
            assert "Server Error" not in body and "Traceback" not in body, f"{name} failed in {language}"
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
            if heading:
                with override(language):
                    assert gettext(heading) in browser.find_element(By.TAG_NAME, "h1").text
            if name in {"procedure", "revision", "case"}:
                # Vietnamese data reaches the page with its diacritics, whatever the interface language.
                assert "Đăng ký khai sinh" in body
            browser.save_screenshot(str(SCREENSHOTS / f"{language}-{name}.png"))
    browser.set_window_size(390, 844)
    for name, path in (("procedures", "/procedures/"), ("dashboard", "/cases/dashboard/")):
        browser.get(f"{live_server.url}{path}")
        browser.save_screenshot(str(SCREENSHOTS / f"en-{name}-phone.png"))
    browser.set_window_size(1280, 900)
