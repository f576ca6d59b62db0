"""The Vietnamese and English catalogues are complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def _entries(po: Path):
    """(msgid, msgid_plural, msgstrs, fuzzy) for every entry of a .po file but the header."""
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = re.search(r"^#,.*\bfuzzy\b", block, re.M) is not None
        head = block.split("\nmsgstr")[0]
        singular, _sep, plural = head.partition("\nmsgid_plural ")
        msgid = "".join(re.findall(r'"(.*)"', singular[singular.index("msgid "):])) if "msgid " in singular else ""
        msgid_plural = "".join(re.findall(r'"(.*)"', plural)) if plural else ""
        msgstrs = []
        for part in re.split(r"^msgstr(?:\[\d+\])? ", block, flags=re.M)[1:]:
            msgstrs.append("".join(re.findall(r'^"(.*)"$', part, re.M)))
        if msgid:
            yield msgid, msgid_plural, msgstrs, fuzzy


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    missing = [msgid for msgid, _plural, msgstrs, fuzzy in _entries(po) if fuzzy or not all(msgstrs)]
    assert missing == [], f"{len(missing)} untranslated or fuzzy messages in {language}: {missing[:10]}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for msgid, plural, msgstrs, _fuzzy in _entries(folder / "django.po")
        if "\\" not in msgid
        and (compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)) != msgstrs[0]
    ]
    assert stale == [], f"django.mo is out of date for {language}: run compilemessages ({stale[:5]})"
