"""The user's search query: parsed once, rendered for FTS5 or PostgreSQL.

Syntax (shown on the search page):

* ``wort1 wort2`` – every word must occur (in any field, any form: stemming);
* ``"genau diese Folge"`` – a phrase; punctuated input such as a file number
  ``66.10.01-00042/2026`` or an e-mail address is a phrase by itself;
* ``wort*`` – prefix;
* ``-wort`` – must not occur;
* ``a ODER b`` (also ``OR``) – either.

Terms are reduced to ``[a-z0-9]`` by the analyser, so nothing the user types
can reach the database's query syntax.
"""

from __future__ import annotations

import os.path
import re
from dataclasses import dataclass, field

from buergerticket.records.fulltext.analysis import STOP_WORDS, compact, fold, stem

_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")
OR_WORDS = {"oder", "or", "|"}


@dataclass(frozen=True)
class Clause:
    """A word, phrase or prefix: its terms must occur in this order."""

    terms: tuple[str, ...]
    prefix: bool = False


@dataclass
class Query:
    """Groups are AND-ed; the clauses of one group are OR-ed."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.groups

    def all_terms(self) -> set[str]:
        return {t for group in self.groups for clause in group for t in clause.terms}

    def prefixes(self) -> set[str]:
        return {clause.terms[-1] for group in self.groups for clause in group if clause.prefix}


def _clause(raw: str, *, quoted: bool) -> Clause | None:
    prefix = not quoted and raw.endswith("*")
    words = [w.lower() for w in _WORD.findall(raw)]
    kept = [w for w in words if w not in STOP_WORDS]
    if not kept:
        return None
    terms = [stem(w) for w in kept]
    if not quoted and len(words) >= 2 and not prefix:
        # One punctuated word (file number, e-mail, date): its compact term,
        # indexed alongside (``analysis.compact_terms``).
        return Clause(terms=(compact(raw.strip(".,;:!?()[]'«»„“")),))
    if prefix:
        # Stored terms are stems, so the prefix is what the word and its stem
        # share: "Schlaglöcher*" → "schlagloch", "Straßenbel*" → "strassenbel".
        folded = fold(kept[-1])
        terms[-1] = os.path.commonprefix([folded, terms[-1]])  # noqa: RUF071 - characters are meant
        if len(terms[-1]) < 2:
            return None
    return Clause(terms=tuple(terms), prefix=prefix)


def parse(text: str, max_clauses: int = 12) -> Query:
    """Parse ``text``; unknown syntax is read as plain words, never an error."""
    query = Query(text=text.strip())
    pending_or = False
    for match in _PART.finditer(text[:500]):
        negated_quote, quoted, raw = match.groups()
        if raw is not None and raw.lower() in OR_WORDS:
            pending_or = bool(query.groups)
            continue
        negated = bool(negated_quote) if quoted is not None else raw.startswith("-")
        if raw is not None and negated:
            raw = raw[1:]
        clause = _clause(quoted if quoted is not None else raw, quoted=quoted is not None)
        if clause is None:
            continue
        if negated:
            query.excluded.append(clause)
        elif pending_or:
            query.groups[-1].append(clause)
        else:
            query.groups.append([clause])
        pending_or = False
        if len(query.groups) + len(query.excluded) >= max_clauses:
            break
    return query


# --- rendering ------------------------------------------------------------


def _fts5_clause(clause: Clause) -> str:
    body = " ".join(f'"{t}"' for t in clause.terms)
    if len(clause.terms) > 1:
        body = body.replace('" "', " ")  # one quoted phrase
    return body + ("*" if clause.prefix else "")


def to_fts5(query: Query, columns: str) -> str:
    """An FTS5 MATCH expression restricted to ``columns`` (e.g. ``{subject body}``)."""
    groups = []
    for group in query.groups:
        alternatives = [_fts5_clause(c) for c in group]
        groups.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    expression = " AND ".join(groups)
    for clause in query.excluded:
        expression = f"({expression}) NOT {_fts5_clause(clause)}"
    return f"{columns} : ({expression})"


def _tsquery_clause(clause: Clause) -> str:
    parts = [f"'{t}'" for t in clause.terms]
    if clause.prefix:
        parts[-1] += ":*"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def to_tsquery(query: Query) -> str:
    """A ``to_tsquery('simple', …)`` expression."""
    groups = []
    for group in query.groups:
        alternatives = [_tsquery_clause(c) for c in group]
        groups.append(
            alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})"
        )
    expression = " & ".join(groups)
    for clause in query.excluded:
        expression += f" & !{_tsquery_clause(clause)}"
    return expression
