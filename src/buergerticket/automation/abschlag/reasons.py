"""Why the Abschlag rule stops: reason codes in reporting order, and the German
texts the history and the clerk see for them and for the analysis's problems."""

from __future__ import annotations

# The order in which reasons are reported; the first one is "the" reason.
REASON_ORDER = (
    "other_service",
    "no_change_requested",
    "no_contract",
    "unknown_contract",
    "inactive_contract",
    "contract_data_outdated",
    "foreign_sender",
    "ambiguous",
    "pending_change",
    "arrears",
    "too_low",
)
REASON_TEXTS = {
    "other_service": "Kein Antrag auf Abschlagsänderung oder weitere Anliegen enthalten",
    "no_change_requested": "Keine Änderung des Abschlags gewünscht (Frage oder Hinweis)",
    "no_contract": "Keine Vertragsnummer angegeben",
    "unknown_contract": "Vertragsnummer nicht gefunden",
    "inactive_contract": "Vertrag ist nicht aktiv",
    "contract_data_outdated": "Vertragsdaten sind veraltet (letzter Import zu alt)",
    "foreign_sender": "Antragsteller:in ist nicht als Vertragsinhaber:in bestätigt",
    "ambiguous": "Neuer Abschlag nicht eindeutig bestimmbar",
    "pending_change": "Eine frühere Abschlagsänderung ist noch nicht von der Abrechnung bestätigt",
    "arrears": "Zahlungsrückstand vorhanden",
    "too_low": "Neuer Abschlag unter 15,00 € oder unter 70 % des bisherigen",
}
PROBLEM_TEXTS = {
    "range": "Spanne statt eines Betrags",
    "several_targets": "mehrere verschiedene Beträge",
    "several_contracts": "mehrere Vertragsnummern",
    "approximate": "ungefährer Betrag",
    "unclear_amount": "Betrag ohne erkennbare Bedeutung",
    "unreadable_amount": "Betrag nicht lesbar (z. B. in Worten)",
    "negation": "Verneinung im Antrag",
    "question": "als Frage formuliert",
    "open_question": "enthält eine weitere Frage",
    "conditional": "an eine Bedingung geknüpft",
    "temporary": "nur vorübergehend gewünscht",
    "percent": "Änderung in Prozent",
    "not_monthly": "kein Monatsbetrag",
    "cancellation": "Widerruf oder Rücknahme im Text",
    "date": "abweichender Termin gewünscht",
    "direction": "Richtung der Änderung unklar oder widersprüchlich",
    "old_amount_mismatch": "genannter bisheriger Abschlag stimmt nicht mit dem Vertrag überein",
    "implausible": "unplausibel hohe Erhöhung",
    "no_amount": "kein neuer Betrag genannt",
    "form_contract": "Vertragsnummer im Formular ungültig",
    "forwarded": "weitergeleitete Nachricht",
    "hedged": "nur als Überlegung formuliert",
    "past": "beschreibt eine bereits erfolgte Änderung",
    "unchanged": "neuer Betrag entspricht dem bisherigen",
    "division_mismatch": "genannte Sparte passt nicht zum Vertrag",
}
