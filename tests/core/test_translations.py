"""The English interface is complete: every German text has its translation, and the
compiled catalogues Django loads match the sources translators edit."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "buergerticket"
CATALOGUES = sorted(SRC.rglob("locale/en/LC_MESSAGES/django.po"))
ENTRY = re.compile(
    r'\n((?:#.*\n)*)(?:msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)'
)
PLURAL = re.compile(
    r'\n((?:#.*\n)*)msgid ((?:".*"\n)+)msgid_plural (?:".*"\n)+((?:msgstr\[\d\] (?:".*"\n)+)+)'
)


def _text(raw: str) -> str:
    return (
        "".join(re.findall(r'"(.*)"', raw))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def _entries(po: Path) -> list[tuple[str, str, str, bool]]:
    return [
        (_text(m.group(2) or ""), _text(m.group(3)), _text(m.group(4)), "#, fuzzy" in m.group(1))
        for m in ENTRY.finditer("\n" + po.read_text(encoding="utf-8"))
    ]


def _plurals(po: Path) -> list[tuple[str, list[str], bool]]:
    return [
        (
            _text(m.group(2)),
            [_text(f) for f in re.split(r"msgstr\[\d\] ", m.group(3))[1:]],
            "#, fuzzy" in m.group(1),
        )
        for m in PLURAL.finditer("\n" + po.read_text(encoding="utf-8"))
    ]


def test_every_app_with_texts_has_a_catalogue():
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC).parents[3]))
def test_catalogue_is_translated_and_compiled(po: Path):
    entries = [e for e in _entries(po) if e[1]]  # the header has an empty msgid
    missing = [msgid for _, msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    missing += [msgid for msgid, forms, fuzzy in _plurals(po) if fuzzy or not all(forms)]
    assert missing == [], f"{po}: ohne (geprüfte) Übersetzung"

    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for context, msgid, msgstr, _ in entries
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], f"{po}: .mo veraltet, compilemessages ausführen"
