"""Turning German text into search terms.

Both the indexed text and the user's query go through :func:`terms`, so a
query matches whatever spelling variant the text used: ``Strasse`` and
``Straße``, ``Müller`` and ``Mueller``, ``Schlaglöcher`` and ``Schlagloch``.

The stemmer is the Snowball German algorithm (the one PostgreSQL's ``german``
configuration uses too); since Snowball 3 it also reads ``ae``/``oe``/``ue`` as
umlauts and folds ``ß`` to ``ss``. What is left of other accents (é, ç, ø) is
removed afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import snowballstemmer

# Runs of letters and digits. Punctuated things (file numbers, e-mail
# addresses) become several terms in a row; a query for them is a phrase.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# German function words that carry no meaning for search. Kept short on
# purpose: a word missing here only costs a little ranking quality.
STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen
    anderer anderes auch auf aus bei bin bis bist da damit dann das dass dem den denn
    der des dich die dir doch dort du durch ein eine einem einen einer eines er es etwas
    euch euer eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich
    ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in ist jede jedem jeden jeder
    jedes jetzt kann kein keine keinem keinen keiner mich mir mit muss musste nach nicht
    nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind
    so solche soll sollte sondern um und uns unser unsere unter vom von vor war waren
    was weil welche welchem welchen welcher wenn wer werde werden wie wieder will wir
    wird wo wurde wurden zu zum zur über
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_stemmer = snowballstemmer.stemmer("german")
_cache: dict[str, str] = {}
_CACHE_LIMIT = 500_000


def fold(word: str) -> str:
    """Lower-case ASCII-ish form: umlauts and ß as Snowball folds them, accents removed."""
    word = word.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """The search term for one lower-case word (cached: vocabularies repeat)."""
    cached = _cache.get(word)
    if cached is None:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        # Digits and mixed tokens (house numbers, file numbers) are kept as they are.
        base = _stemmer.stemWord(word) if word.isalpha() else word
        cached = _cache[word] = fold(base)
    return cached


@dataclass(frozen=True)
class Token:
    """A word of the original text with its position, for highlighting."""

    start: int
    end: int
    term: str


def tokens(text: str) -> Iterator[Token]:
    """Every word of ``text`` with its term; stop words get an empty term."""
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        term = "" if word in STOP_WORDS else stem(word)
        yield Token(match.start(), match.end(), term)


def terms(text: str) -> list[str]:
    """The search terms of ``text`` in order, stop words left out."""
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        if word not in STOP_WORDS:
            out.append(stem(word))
    return out


def analyse(*texts: str) -> str:
    """The terms of several texts as one space-separated string, as stored in the index.

    Parts of compounds follow after all terms (see ``compounds``), so a phrase
    query still finds the text's own word order.
    """
    from buergerticket.records.fulltext.compounds import parts

    words = [term for text in texts if text for term in terms(text)]
    extra = [part for term in dict.fromkeys(words) for part in parts(term)]
    extra += [joined for text in texts if text for joined in compact_terms(text)]
    return " ".join(words + extra)


_CHUNK = re.compile(r"\S+")


def compact(word: str) -> str:
    """One term for a punctuated word ("66.10.01-00042/2026" → "661001000422026")."""
    return "".join(terms(word))


def compact_terms(text: str) -> Iterator[str]:
    """The compact term of every punctuated word of ``text`` with several parts.

    File numbers, e-mail addresses and dates consist of parts that are common
    on their own ("2026", "org"); as one rare term they are found at once,
    where a phrase of common parts would have to be intersected.
    """
    for match in _CHUNK.finditer(text):
        chunk = match.group()
        if len(_TOKEN.findall(chunk)) >= 2:
            joined = compact(chunk.strip(".,;:!?()[]\"'«»„“"))
            if joined:
                yield joined
