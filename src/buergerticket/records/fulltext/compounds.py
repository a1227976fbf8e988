"""Splitting German compounds, so "Laterne" finds "Straßenlaterne".

German glues nouns together ("Straßenlaternenausfall"); a stemmer keeps the
compound whole. We split a compound when it ends (or begins) with one of the
nouns of the lexicon below: words that recur in requests to municipalities and
utilities. The parts are indexed after the text's own terms, so phrases stay
intact and an exact match still ranks higher. A lexicon, not every possible
suffix, keeps the index small and avoids nonsense parts.
"""

from __future__ import annotations

from functools import lru_cache

LEXICON_WORDS = """
    strasse weg platz gasse allee ufer laterne leuchte lampe beleuchtung licht ampel
    schild schaden loch müll abfall tonne container sperrmüll glas papier wertstoff
    sack abfuhr abholung baum ast hecke park spielplatz spiel bank brunnen wasser
    abwasser kanal gully rohr bruch leitung zähler strom gas wärme fernwärme vertrag
    rechnung abschlag zahlung gebühr steuer hund katze tier lärm ruhe parken parkplatz
    auto fahrzeug fahrrad bus haltestelle bahn brücke tunnel graben antrag genehmigung
    bescheid bescheinigung ausweis pass anmeldung abmeldung ummeldung umzug wohnung
    haus garten zaun mauer dach fassade graffiti schmiererei verschmutzung kot ratte
    taube ungeziefer wespe nest schnee glätte räumung reinigung termin raum saal halle
    schule kita kindergarten sport friedhof grab feuer brand rauch geruch gestank
    baustelle sperrung umleitung verkehr unfall gefahr notfall störung ausfall defekt
    reparatur kosten erstattung beschwerde anfrage auskunft frist einspruch widerspruch
    kunde nummer stand abrechnung anschluss gehweg radweg fahrbahn pflaster belag
    bürgersteig kreuzung schranke poller beet rasen wiese wald spielgerät schaukel
    rutsche toilette bad schwimmbad bücherei bibliothek museum veranstaltung miete
    mieter eigentümer grundstück gebäude dienst amt stelle
"""

_MIN_PART = 3


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    from buergerticket.records.fulltext.analysis import _stemmer, fold

    return frozenset(fold(_stemmer.stemWord(word)) for word in LEXICON_WORDS.split())


def _strip_link(head: str) -> list[str]:
    """The head without a linking element or unstemmed ending (Straße-n-laterne,
    Hund-e-steuer, Arbeit-s-amt, Wass-er-rohr: heads are not stemmed)."""
    candidates = [head]
    for link in ("en", "es", "er", "n", "s", "e"):
        if head.endswith(link) and len(head) - len(link) >= _MIN_PART:
            candidates.append(head[: -len(link)])
    return candidates


@lru_cache(maxsize=200_000)
def parts(term: str) -> tuple[str, ...]:
    """Known nouns a compound term consists of (empty for a simple word)."""
    known = lexicon()
    if len(term) < 2 * _MIN_PART + 1 or not term.isalpha():
        return ()
    found: list[str] = []
    for cut in range(_MIN_PART, len(term) - _MIN_PART + 1):
        tail = term[cut:]
        if tail not in known:
            continue
        found.append(tail)
        head = term[:cut]
        for candidate in _strip_link(head):
            if candidate in known:
                found.append(candidate)
                found.extend(parts(candidate))  # "Sperrmüll" holds "Müll" as well
                break
            sub = parts(candidate)
            if sub:
                found.extend(sub)
                break
        break  # the longest known tail wins
    if not found:
        # Only the beginning is a known noun ("Müllabfuhrtermin" with an unknown tail).
        for cut in range(len(term) - _MIN_PART, _MIN_PART - 1, -1):
            if term[:cut] in known:
                found.append(term[:cut])
                break
    return tuple(dict.fromkeys(p for p in found if p != term))
