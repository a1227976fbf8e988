"""Demo contract data for the Stadtwerke, so "Abschlag ändern" works in ``buergerticket demo``.

The contracts are synthetic and go through the normal CSV import (re-run at
every demo start, which also keeps the data from counting as outdated).
"""

from __future__ import annotations

import random

from buergerticket.automation.contracts.importing import import_contract_data
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation

FIRST = ["Anna", "Jonas", "Fatma", "Lukas", "Marie", "Mehmet", "Sophie", "Paul", "Olga", "Felix"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Goethestraße", "Lindenallee", "Rosenweg"]
DIVISIONS = [("Strom", 40, 180), ("Gas", 60, 220), ("Wasser", 15, 60)]
HEADER = "vertragsnummer;name;email;strasse;plz;ort;sparte;abschlag_eur;rueckstand_eur;status\n"


def demo_export(count: int = 500, seed: int = 2026) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    lines = [HEADER]
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        division, low, high = rng.choice(DIVISIONS)
        installment = f"{rng.randint(low, high)},{rng.choice(['00', '50', '90', '25'])}"
        arrears = "0,00" if rng.random() > 0.1 else f"{rng.randint(20, 300)},00"
        status = "aktiv" if rng.random() > 0.05 else "beendet"
        ascii_last = last.replace("ü", "ue").lower()
        lines.append(
            f"{41000000 + i};{first} {last};{first.lower()}.{ascii_last}{i}@example.org;"
            f"{rng.choice(STREETS)} {rng.randint(1, 120)};1234{rng.randint(5, 9)};Musterstadt;"
            f"{division};{installment};{arrears};{status}\n"
        )
    return "".join(lines).encode()


def prepare_demo() -> None:
    """Import the demo contracts into every organisation with an Abschlag service."""
    for organisation in Organisation.objects.filter(
        pk__in=Service.objects.filter(automation="abschlag").values("organisation")
    ):
        import_contract_data(organisation, demo_export(), file_name="demo-vertraege.csv")
