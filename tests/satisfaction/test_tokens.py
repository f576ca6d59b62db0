"""The code on the receipt: ten characters nobody can work out without the site's key."""

import pytest
from django.test import override_settings

from satisfaction import tokens

from ..factories import ResolvedCaseFactory

pytestmark = pytest.mark.django_db


def test_each_case_has_its_own_fixed_code_in_two_groups_of_five_unambiguous_characters():
    first, second = ResolvedCaseFactory(), ResolvedCaseFactory()

    code = tokens.case_token(first)

    assert code == tokens.case_token(first)
    assert code != tokens.case_token(second)
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set(tokens.ALPHABET) and not set("ILOU") & set(code)


def test_the_code_is_accepted_however_it_is_typed_and_nothing_else_is():
    case = ResolvedCaseFactory()
    code = tokens.case_token(case)
    bare = code.replace("-", "")

    assert tokens.token_matches(case, code)
    assert tokens.token_matches(case, f"  {bare[:5].lower()} {bare[5:]} ")
    # O for 0 and I or L for 1: the letters the code never uses read as the digits they look like.
    assert tokens.token_matches(case, code.replace("0", "O").replace("1", "l"))
    wrong = bare[:-1] + ("0" if bare[-1] != "0" else "1")
    assert not tokens.token_matches(case, wrong)
    assert not tokens.token_matches(case, "")
    assert not tokens.token_matches(None, code)
    assert not tokens.token_matches(ResolvedCaseFactory(), code)


def test_codes_printed_under_the_previous_key_still_work_when_it_is_a_fallback():
    case = ResolvedCaseFactory()
    with override_settings(SECRET_KEY="the-old-key-" + "x" * 40):
        printed = tokens.case_token(case)

    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40):
        assert not tokens.token_matches(case, printed)
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=["the-old-key-" + "x" * 40]):
        assert tokens.token_matches(case, printed)


@override_settings(ALLOWED_HOSTS=["iso.example.gov.vn"])
def test_the_kiosk_link_fills_in_the_dossier_code_and_the_code(rf):
    case = ResolvedCaseFactory(reference="QT-06-260105-0001")

    link = tokens.kiosk_link(case, rf.get("/", HTTP_HOST="iso.example.gov.vn"))

    assert link == f"http://iso.example.gov.vn/satisfaction/kiosk/?case=QT-06-260105-0001&code={tokens.case_token(case)}"
    with override_settings(SATISFACTION_KIOSK_URL="https://danhgia.quangtrung.gov.vn/kiosk"):
        assert tokens.kiosk_link(case).startswith("https://danhgia.quangtrung.gov.vn/kiosk?case=QT-06-260105-0001&code=")
