"""Euro amounts: parsing the billing export's decimal comma, formatting for people and JSON."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
_EXPORT_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d{1,2})?$")


def parse_export_amount(value: str) -> Decimal:
    """``"72,50"`` → ``Decimal("72.50")``; raises ValueError with a German message."""
    text = value.strip()
    if not text:
        raise ValueError("Betrag fehlt")
    if not _EXPORT_AMOUNT.match(text):
        if re.match(r"^-?\d+\.\d{1,2}$", text):
            raise ValueError(f"„{text}“: Dezimalkomma erwartet (z. B. 72,50)")
        raise ValueError(f"„{text}“ ist kein Betrag")
    try:
        return Decimal(text.replace(".", "").replace(",", ".")).quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise ValueError(f"„{text}“ ist kein Betrag") from None


def decimal_str(amount: Decimal) -> str:
    """``Decimal("72.5")`` → ``"72.50"`` (machine format for JSON)."""
    return str(amount.quantize(CENT))


def format_eur(amount: Decimal) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50 €"`` (German format for people)."""
    text = f"{amount.quantize(CENT):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " €"
