"""Full-text search over cases, as a clerk uses it."""

from __future__ import annotations

from buergerticket.cases.services import Requester
from buergerticket.records.search.engine import search


def found(results):
    return [hit.case.file_number for hit in results.hits]


def test_german_stemming_and_umlaut_folding(open_case, musterstadt, staff):
    case = open_case(subject="Schlaglöcher in der Straße", text="Tiefe Löcher vor dem Haus.")
    other = open_case(subject="Laterne defekt", text="Die Laterne flackert.")
    for text in ("Strasse", "straße", "Schlagloch", "loch", "Strassen"):
        hits = found(search(organisation=musterstadt, staff=None, text=text))
        if text == "loch":
            assert case.file_number in hits  # "Löcher" → "loch"
        else:
            assert hits == [case.file_number], text
    assert found(search(organisation=musterstadt, staff=None, text="Laternen")) == [other.file_number]


def test_mueller_finds_mueller(open_case, musterstadt):
    case = open_case(requester=Requester(name="Hans Müller", email="hm@example.org"))
    assert found(search(organisation=musterstadt, staff=None, text="Mueller")) == [case.file_number]
