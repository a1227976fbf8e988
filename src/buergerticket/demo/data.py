"""Realistic demo cases for the Musterstadt catalog, opened through the write path."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Channel, Status
from buergerticket.catalog.loader import load_catalog_file
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation, Staff

CATALOG = Path(__file__).with_name("musterstadt.yaml")
DEMO_PASSWORD = "demo"  # noqa: S105 - demo installations only, printed on start

FIRST = [
    "Anna",
    "Jonas",
    "Fatma",
    "Lukas",
    "Marie",
    "Mehmet",
    "Sophie",
    "Paul",
    "Olga",
    "Felix",
    "Hannah",
    "Can",
    "Lea",
    "Tobias",
    "Ewa",
    "Karl",
    "Aylin",
    "Jan",
    "Ida",
    "Noah",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Yıldız",
    "Nowak",
    "Krause",
]
STREETS = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Goethestraße",
    "Lindenallee",
    "Kirchplatz",
    "Mühlenweg",
    "Schillerstraße",
    "Am Markt",
    "Rosenweg",
    "Birkenstraße",
]

# (subject, text) per service; {street} and {no} are filled in.
REQUESTS: dict[str, list[tuple[str, str]]] = {
    "maengel-strasse": [
        (
            "Schlagloch in der {street}",
            "Vor Hausnummer {no} ist ein tiefes Schlagloch, Radfahrer müssen ausweichen.",
        ),
        (
            "Gehweg abgesackt",
            "Die Gehwegplatten in der {street} {no} sind abgesackt, "
            "Stolpergefahr für ältere Menschen.",
        ),
    ],
    "maengel-beleuchtung": [
        ("Straßenlaterne defekt", "Die Laterne vor {street} {no} ist seit Tagen dunkel."),
        ("Laterne flackert", "In der {street} flackert die Laterne gegenüber Nummer {no}."),
    ],
    "maengel-muell": [
        ("Müll abgeladen", "Am Wendehammer {street} wurden Säcke und ein Sofa abgeladen."),
    ],
    "abfall-abholung": [
        (
            "Biotonne nicht geleert",
            "Unsere Biotonne in der {street} {no} wurde gestern nicht geleert.",
        ),
        (
            "Sperrmülltermin",
            "Ich möchte einen Termin für die Sperrmüllabholung "
            "(Schrank, Matratze) in der {street} {no}.",
        ),
    ],
    "ordnung-parken": [
        (
            "Falschparker in Feuerwehrzufahrt",
            "In der {street} parkt seit heute früh ein Transporter in der Feuerwehrzufahrt.",
        ),
    ],
    "ordnung-laerm": [
        (
            "Lärm von Baustelle am Sonntag",
            "Auf der Baustelle in der {street} wird auch sonntags ab 7 Uhr gearbeitet.",
        ),
    ],
    "melde-bescheinigung": [
        (
            "Meldebescheinigung",
            "Ich benötige eine Meldebescheinigung für meinen Arbeitgeber. "
            "Anschrift: {street} {no}.",
        ),
    ],
    "bau-anfrage": [
        (
            "Carport genehmigungspflichtig?",
            "Ich möchte auf meinem Grundstück {street} {no} "
            "einen Carport bauen. Brauche ich eine Genehmigung?",
        ),
    ],
    "steuer-hund": [
        (
            "Hund anmelden",
            "Wir haben seit letzter Woche einen Hund (Mischling) und möchten "
            "ihn zur Hundesteuer anmelden. Anschrift {street} {no}.",
        ),
        ("Hund abmelden", "Unser Hund ist leider verstorben. Bitte melden Sie ihn ab."),
    ],
    "kultur-raum": [
        (
            "Raum für Chorprobe",
            "Unser Chor sucht ab Januar donnerstags einen Raum im Bürgerhaus für etwa 25 Personen.",
        ),
    ],
    "allgemein": [
        (
            "Öffnungszeiten Bürgerbüro",
            "Wie sind die Öffnungszeiten des Bürgerbüros zwischen den Feiertagen?",
        ),
        ("Frage zum Wochenmarkt", "Findet der Wochenmarkt am Kirchplatz auch im Winter statt?"),
    ],
    "sw-abschlag": [
        (
            "Abschlag ändern",
            "Bitte senken Sie meinen monatlichen Abschlag auf 60 Euro. "
            "Vertragsnummer 4000{no:04d}.",
        ),
    ],
    "sw-zaehlerstand": [
        ("Zählerstand", "Mein Zählerstand Strom heute: {no}4512 kWh."),
    ],
    "sw-umzug": [
        (
            "Umzug zum Monatsende",
            "Ich ziehe zum Monatsende aus der {street} {no} aus. Bitte beenden Sie meinen Vertrag.",
        ),
    ],
    "sw-rechnung": [
        (
            "Frage zur Jahresabrechnung",
            "Meine Jahresabrechnung ist deutlich höher als im Vorjahr. Können Sie das erklären?",
        ),
    ],
    "sw-allgemein": [
        ("Ökostrom-Tarif", "Bieten Sie einen Ökostrom-Tarif an?"),
    ],
}
CHANNELS = [Channel.PORTAL, Channel.EMAIL, Channel.EMAIL, Channel.PHONE, Channel.COUNTER]


def load_demo_catalog() -> None:
    load_catalog_file(CATALOG)


def set_demo_passwords() -> list[tuple[str, str, str]]:
    logins = []
    for person in Staff.objects.select_related("user", "organisation").order_by(
        "organisation__slug", "user__username"
    ):
        if not person.user.has_usable_password():
            person.user.set_password(DEMO_PASSWORD)
            person.user.save(update_fields=["password"])
        logins.append((person.organisation.slug, person.user.username, ", ".join(person.roles)))
    return logins


def create_demo_cases(count: int = 300, seed: int = 2026) -> int:
    """Open ``count`` cases spread over the last weeks, in a mix of states."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    services_by_code = {
        s.code: s
        for s in Service.objects.select_related(
            "organisation", "owner", "department", "file_plan"
        ).filter(code__in=REQUESTS)
    }
    codes = list(services_by_code)
    now = timezone.now()
    created = 0
    for _ in range(count):
        service = services_by_code[rng.choice(codes)]
        subject, text = rng.choice(REQUESTS[service.code])
        street, no = rng.choice(STREETS), rng.randint(1, 140)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        received = now - dt.timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
        intake = services.Intake(
            service=service,
            channel=rng.choice(CHANNELS),
            subject=subject.format(street=street, no=no),
            text=text.format(street=street, no=no),
            requester=services.Requester(
                name=f"{first} {last}",
                email=f"{first}.{last}@example.org".lower().replace("ı", "i"),
                address=f"{street} {no}, 12345 Musterstadt",
            ),
            received_at=received,
        )
        with transaction.atomic():
            case = services.open_case(intake, actor=Actor.requester())
            _advance(case, rng, received)
        created += 1
    return created


def _advance(case: Case, rng: random.Random, received: dt.datetime) -> None:
    """Move older cases along so the demo shows every state."""
    age = (timezone.now() - received).days
    clerk = Actor.for_staff(case.owner)
    roll = rng.random()
    if age > 3 and roll < 0.75:
        services.set_status(case, actor=clerk, status=Status.IN_PROGRESS)
    if age > 10 and roll < 0.55:
        services.add_reply(
            case,
            actor=clerk,
            body="Vielen Dank, wir haben Ihr Anliegen geprüft und das Nötige veranlasst.",
        )
        services.set_status(case, actor=clerk, status=Status.CLOSED, reason="erledigt")
    elif age > 5 and roll < 0.65:
        services.add_reply(
            case, actor=clerk, body="Bitte senden Sie uns noch ein Foto bzw. die fehlenden Angaben."
        )
        services.set_status(case, actor=clerk, status=Status.WAITING)
    elif roll > 0.9:
        services.add_note(case, actor=clerk, text="Rücksprache mit dem Bauhof gehalten.")


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(slug="musterstadt").exists() and Case.objects.exists()
