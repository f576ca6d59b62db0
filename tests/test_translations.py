"""The Vietnamese and English catalogues are complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def _entries(po: Path):
    """(msgctxt, msgid, msgid_plural, msgstrs, fuzzy) for every entry of a .po file but the header."""
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = re.search(r"^#,.*\bfuzzy\b", block, re.M) is not None
        block = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        head = block.split("\nmsgstr")[0]
        singular, _sep, plural = head.partition("\nmsgid_plural ")
        msgid = "".join(re.findall(r'"(.*)"', singular[singular.index("msgid "):])) if "msgid " in singular else ""
        msgid_plural = "".join(re.findall(r'"(.*)"', plural)) if plural else ""
        context = re.search(r'^msgctxt "(.*)"$', singular, re.M)
        msgstrs = []
        for part in re.split(r"^msgstr(?:\[\d+\])? ", block, flags=re.M)[1:]:
            msgstrs.append("".join(re.findall(r'^"(.*)"$', part, re.M)))
        if msgid:
            yield (context.group(1) if context else None), msgid, msgid_plural, msgstrs, fuzzy


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    missing = [msgid for _context, msgid, _plural, msgstrs, fuzzy in _entries(po) if fuzzy or not all(msgstrs)]
    assert missing == [], f"{len(missing)} untranslated or fuzzy messages in {language}: {missing[:10]}"


def _compiled(compiled: gettext.GNUTranslations, context, msgid, plural) -> str:
    if plural:
        return compiled.npgettext(context, msgid, plural, 1) if context else compiled.ngettext(msgid, plural, 1)
    return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for context, msgid, plural, msgstrs, _fuzzy in _entries(folder / "django.po")
        if "\\" not in msgid and _compiled(compiled, context, msgid, plural) != msgstrs[0]
    ]
    assert stale == [], f"django.mo is out of date for {language}: run compilemessages ({stale[:5]})"
