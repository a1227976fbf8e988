"""Highlighted snippets: the passage of a text where the query's terms occur.

Works on the original text (the index holds only stems), so the clerk sees
the words as written, with every form of a searched word marked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from buergerticket.records.fulltext.analysis import Token, tokens

_SPACE = re.compile(r"\s+")
WINDOW = 28  # words shown around the best passage
MAX_SCAN = 20_000  # characters of one text considered for a snippet


@dataclass(frozen=True)
class Snippet:
    html: SafeString
    text: str  # plain text, hits marked «like this»
    source: str  # where it was found ("Anliegen", "Vermerk", "Anhang …")


class Matcher:
    def __init__(self, terms: Iterable[str], prefixes: Iterable[str] = ()):
        self.terms = set(terms)
        self.prefixes = tuple(prefixes)

    def __call__(self, token: Token) -> bool:
        return bool(token.term) and (
            token.term in self.terms or token.term.startswith(self.prefixes or ("\0",))
        )


def highlight(text: str, matcher: Matcher) -> SafeString:
    """The whole (short) text with hits marked, HTML-escaped."""
    return _render(text, list(tokens(text)), matcher, 0, len(text))[0]


def best_snippet(sources: Iterable[tuple[str, str]], matcher: Matcher) -> Snippet | None:
    """The passage with the most distinct hits across ``(label, text)`` sources."""
    best: tuple[int, int, str, str, list[Token], int, int] | None = None
    for label, text in sources:
        if not text:
            continue
        text = text[:MAX_SCAN]
        toks = list(tokens(text))
        hits = [i for i, tok in enumerate(toks) if matcher(tok)]
        if not hits:
            continue
        # Slide a window over the hit positions; prefer more distinct terms.
        for first in hits:
            window_hits = [i for i in hits if first <= i < first + WINDOW]
            distinct = len({toks[i].term for i in window_hits})
            score = (distinct, len(window_hits))
            if best is None or score > (best[0], best[1]):
                start_tok = max(0, first - 6)
                end_tok = min(len(toks), start_tok + WINDOW)
                best = (*score, label, text, toks, start_tok, end_tok)
    if best is None:
        return None
    _d, _n, label, text, toks, start_tok, end_tok = best
    start = toks[start_tok].start if start_tok > 0 else 0
    end = toks[end_tok - 1].end if end_tok < len(toks) else len(text)
    html, plain = _render(text, toks, matcher, start, end)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Snippet(
        html=mark_safe(escape(prefix) + html + escape(suffix)),  # noqa: S308 - parts are escaped
        text=f"{prefix}{plain}{suffix}",
        source=label,
    )


def _render(
    text: str, toks: list[Token], matcher: Matcher, start: int, end: int
) -> tuple[SafeString, str]:
    html: list[str] = []
    plain: list[str] = []
    pos = start
    for tok in toks:
        if tok.end <= start or tok.start >= end or not matcher(tok):
            continue
        html.append(escape(_flat(text[pos : tok.start])))
        plain.append(_flat(text[pos : tok.start]))
        word = text[tok.start : tok.end]
        html.append(f"<mark>{escape(word)}</mark>")
        plain.append(f"«{word}»")
        pos = tok.end
    html.append(escape(_flat(text[pos:end])))
    plain.append(_flat(text[pos:end]))
    return mark_safe("".join(html)), "".join(plain)  # noqa: S308 - every part is escaped


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)
