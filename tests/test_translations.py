"""The Vietnamese and English catalogues are complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def _entries(po: Path):
    """(msgid, msgstrs, fuzzy) for every entry of a .po file but the header."""
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = re.search(r"^#,.*\bfuzzy\b", block, re.M) is not None
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M))
        msgstrs = []
        for part in re.split(r"^msgstr(?:\[\d+\])? ", block, flags=re.M)[1:]:
            msgstrs.append("".join(re.findall(r'^"(.*)"$', part, re.M)))
        if msgid:
            yield msgid, msgstrs, fuzzy


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    missing = [msgid for msgid, msgstrs, fuzzy in _entries(po) if fuzzy or not all(msgstrs)]
    assert missing == [], f"{len(missing)} untranslated or fuzzy messages in {language}: {missing[:10]}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for msgid, msgstrs, _fuzzy in _entries(folder / "django.po")
        if len(msgstrs) == 1 and "\\" not in msgid and compiled.gettext(msgid) != msgstrs[0]
    ]
    assert stale == [], f"django.mo is out of date for {language}: run compilemessages ({stale[:5]})"
