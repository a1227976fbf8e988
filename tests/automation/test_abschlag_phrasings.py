"""Unseen phrasings: the rule confirms only what it can read with certainty.

Each case is a request from the holder of contract 40002382 (61,90 € Strom, no
arrears). "auto" means the rule may confirm it, "stop" means a clerk must see
it — a wrong "auto" is the worst error this rule can make.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from buergerticket.automation.abschlag.analysis import analyse
from buergerticket.automation.abschlag.checks import ContractFacts, RequesterFacts, evaluate

TODAY = dt.date(2026, 11, 21)  # next month: December 2026
HOLDER = "felix.schulz69@example.org"
FACTS = ContractFacts(
    pk=1,
    number="40002382",
    email=HOLDER,
    installment=Decimal("61.90"),
    arrears=Decimal("0.00"),
    status="aktiv",
    in_export=True,
    linked_user_ids=frozenset(),
    has_open_change=False,
    division="Strom",
)
V = "Vertrag 40002382"

CASES = [
    # Plain requests in many forms.
    ("auto", "55.00", f"Bitte senken Sie meinen Abschlag ({V}) auf 55 Euro."),
    ("auto", "55.00", f"Bitte den Abschlag auf 55,- € setzen. {V}"),
    ("auto", "55.00", f"Neuer Abschlag: EUR 55,00\n{V}"),
    ("auto", "56.90", f"Könnten Sie bitte meinen Abschlag um 5 € reduzieren? {V}"),
    ("auto", "71.90", f"Ich möchte ab sofort 10 Euro mehr Abschlag zahlen. {V}"),
    ("auto", "55.00", f"Bitte den Abschlag von 61,90 € auf 55 € senken. {V}"),
    ("auto", "55.00", f"Bitte den Abschlag um 6,90 € auf 55 € senken. {V}"),
    ("auto", "55.00", f"Bitte den Abschlag auf\n55 Euro senken, danke.\n{V}"),
    ("auto", "55.00", f"Wenn möglich, bitte den Abschlag auf 55 € senken. {V}"),
    ("auto", "55.00", f"Bitte ab Dezember den Abschlag auf 55 € senken. {V}"),
    ("auto", "55.00", f"Bitte den Abschlag ab dem 1.12. auf 55 € senken. {V}"),
    ("auto", "55.00", f"Der Abschlag soll auf 55 € gesenkt werden. {V}"),
    ("auto", "55.00", f"Bitte setzen Sie meinen Abschlag auf monatlich 55 € herab. {V}"),
    ("auto", "55.00", f"BITTE SENKEN SIE MEINEN ABSCHLAG AUF 55 EURO. {V}"),
    (
        "auto",
        "81.90",
        f"Ich hatte eine Nachzahlung von 240 €. Bitte erhöhen Sie den Abschlag um 20 €. {V}",
    ),
    ("auto", "55.00", f"Tel. 030 12345678\nBitte den Abschlag auf 55 € senken. {V}"),
    (
        "auto",
        "55.00",
        f"Bitte den Abschlag auf 55 € senken. {V}\n\nAm 01.11.2026 schrieb Kundenservice:\n"
        "> Ihr Abschlag beträgt 61,90 €\n> Vertrag 40009999",
    ),
    # Negations, questions, hedges, conditions.
    (
        "stop",
        None,
        f"Bitte senken Sie meinen Abschlag ({V}) nicht auf 55 Euro, sondern lassen Sie ihn.",
    ),
    (
        "stop",
        None,
        f"Ich möchte meinen Abschlag nicht, wie von Ihnen vorgeschlagen, auf 80 € erhöhen. {V}",
    ),
    ("stop", None, f"Kann ich meinen Abschlag auf 55 € senken? {V}"),
    ("stop", None, f"Was passiert, wenn ich den Abschlag auf 55 € senke? {V}"),
    ("stop", None, f"Sollte ich meinen Abschlag auf 55 € senken? {V}"),
    ("stop", None, f"Ich überlege, meinen Abschlag auf 55 € zu senken. {V}"),
    ("stop", None, f"Wenn die Preise sinken, bitte den Abschlag auf 55 € senken. {V}"),
    (
        "stop",
        None,
        f"Bitte den Abschlag auf 55 € senken.\n\nAch nein, vergessen Sie das bitte. {V}",
    ),
    (
        "stop",
        None,
        f"Sie haben meinen Abschlag ohne Rückfrage auf 55 € gesenkt. Ich möchte das nicht. {V}",
    ),
    ("stop", None, f"Bitte den Abschlag auf 55 € senken. {V}. Wie hoch ist mein Rückstand?"),
    # Amounts that are not (only) the new installment.
    ("stop", None, f"Bitte den Abschlag für Strom auf 50 € und für Gas auf 80 € setzen. {V}"),
    (
        "stop",
        None,
        f"Mein Nachbar zahlt nur 40 €, bitte setzen Sie meinen Abschlag ({V}) auch auf 45 €.",
    ),
    (
        "stop",
        None,
        f"Ich hatte eine Nachzahlung von 240 €. Bitte den Abschlag auf ca. 80 € erhöhen. {V}",
    ),
    ("stop", None, f"Bitte den Abschlag um zehn Euro senken. {V}"),
    ("stop", None, f"Bitte den Abschlag um 10 % senken. {V}"),
    ("stop", None, f"Bitte den Abschlag von 70 € auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 65 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 6.500 € erhöhen. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 55 oder 50 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 50-55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag um 5 € auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 55 € im Jahr senken. {V}"),
    ("stop", None, f"Abschlag: 55 €\n{V}"),
    ("stop", None, f"Ich habe gehört, andere zahlen 55 €. {V}. Bitte Abschlag ändern."),
    ("auto", "55.00", f"Bitte meinen Abschlag für den Strom auf 55 € senken. {V}"),
    ("stop", None, f"Bitte meinen Abschlag für Gas auf 55 € senken. {V}"),
    ("stop", None, f"Bitte die Abschläge für Strom und Gas auf 55 € senken. {V}"),
    # Dates other than next month, temporary wishes.
    ("stop", None, f"Bitte ab Januar den Abschlag auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag ab dem 15.12. auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag rückwirkend auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag vorübergehend auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag diesen Monat einmalig auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 55 € senken und bis März so lassen. {V}"),
    # Other people's contracts, several contracts, forwarded mail, mixed concerns.
    ("stop", None, f"Bitte den Abschlag für meine Mutter auf 55 € senken. {V}"),
    ("stop", None, f"Bitte den Abschlag auf 55 € senken. {V} und 40000000 (meine Frau)"),
    (
        "stop",
        None,
        f"Bitte den Abschlag auf 55 € senken. {V}, Kundennummer 12345678 und Vertrag 40000000",
    ),
    (
        "stop",
        None,
        "siehe unten\n\n-------- Weitergeleitete Nachricht --------\n"
        f"Bitte den Abschlag auf 55 € senken. {V}",
    ),
    ("stop", None, f"Bitte Abschlag auf 55 € senken, Zählerstand 12345 kWh. {V}"),
    ("stop", None, f"Wir ziehen um. Bitte Abschlag auf 55 € senken. {V}"),
    ("stop", None, f"Ihr Schreiben ist falsch: bitte Abschlag auf 55 € senken. {V}"),
]


@pytest.mark.parametrize(("expected", "amount", "body"), CASES)
def test_phrasing(expected, amount, body):
    analysis = analyse("Abschlag", body)
    verdict = evaluate(
        analysis,
        RequesterFacts(channel="email", email=HOLDER),
        lambda number: FACTS if number == FACTS.number else None,
        today=TODAY,
    )
    assert ("auto" if verdict.automated else "stop") == expected, (verdict.explanation(), body)
    if amount is not None:
        assert str(verdict.new) == amount
    else:
        assert verdict.reasons  # a stopped request always names why


def test_the_subject_counts_and_must_agree_with_the_body():
    analysis = analyse("Abschlag auf 50 € senken", f"bitte senken Sie ihn auf 55,00 €. {V}")
    verdict = evaluate(
        analysis, RequesterFacts(channel="email", email=HOLDER), lambda n: FACTS, today=TODAY
    )
    assert not verdict.automated and verdict.reasons == ["ambiguous"]
