"""An approver signs a revision in the browser: the password again and the meaning, in the same form
as the button; a wrong password is refused, the right one shows a valid signature."""

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from iso.demo import DEMO_PASSWORD

from .conftest import SCREENSHOTS
from .test_pages import _sign_in, _switch_language

# serialized_rollback keeps the roles, permissions and clauses of the data migrations for the next test.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _approve(browser, password):
    form = browser.find_element(By.XPATH, "//form[.//input[@name='transition' and @value='approve']]")
    form.find_element(By.NAME, "signature_password").send_keys(password)
    # The page before the click may already show a message: mark it, and read only a new page.
    browser.execute_script("document.documentElement.dataset.beforeSigning = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script(
            "return document.readyState === 'complete' && !document.documentElement.dataset.beforeSigning"
            " && document.querySelector('.messages .message') !== null"
        )
    )
    return browser.find_element(By.CSS_SELECTOR, ".messages").text


def test_an_approver_signs_a_revision_with_the_password_and_sees_the_signature(browser, live_server):
    call_command("load_demo", verbosity=0)
    from iso.models import Signature
    from processes.models import ProcedureRevision

    revision = ProcedureRevision.objects.filter(state="in_review").exclude(author__username="lanhdao").first()
    browser.delete_all_cookies()
    _sign_in(browser, live_server, "lanhdao")
    _switch_language(browser, "en")
    browser.get(live_server.url + revision.get_absolute_url())

    said = _approve(browser, "not-the-password")
    assert "Wrong password: nothing was signed" in said
    assert ProcedureRevision.objects.get(pk=revision.pk).state == "in_review"

    said = _approve(browser, DEMO_PASSWORD)
    assert "is now approved" in said
    signatures = browser.find_element(By.CSS_SELECTOR, ".signatures").text
    assert "Trần Quốc Hùng" in signatures and "Valid" in signatures and "Approved" in signatures
    browser.save_screenshot(str(SCREENSHOTS / "en-revision-signed.png"))
    assert Signature.objects.for_object(revision).get().signer.username == "lanhdao"
