"""Shared by the mail benchmarks: a fresh embedded installation and realistic mail."""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_REQUESTS = ROOT.parent.parent / "shared" / "musterstadt" / "anfragen-train.jsonl"
MAILBOX = "buergerservice@musterstadt.example"


def fresh_installation(postgres: str = "", **env: str) -> Path:
    """Development mode on a new SQLite file (the embedded default) or, with
    ``postgres`` (a server URL), a new database there; migrated, with the bundled
    Musterstadt catalog. Must run before Django is imported."""
    home = Path(tempfile.mkdtemp(prefix="bt-bench-"))
    os.environ.update(
        BUERGERTICKET_MODE="development",
        BUERGERTICKET_HOME=str(home),
        DJANGO_SETTINGS_MODULE="buergerticket.settings",
        BUERGERTICKET_LOG_LEVEL="WARNING",
        **env,
    )
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        os.environ["DATABASE_URL"] = _fresh_postgres(postgres)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.core.management import call_command

    from buergerticket.catalog.loader import load_catalog_file
    from buergerticket.settings import PACKAGE_DIR

    call_command("migrate", verbosity=0)
    load_catalog_file(PACKAGE_DIR / "demo" / "musterstadt.yaml")
    return home


def _fresh_postgres(url: str) -> str:
    """``url`` names a database to (re)create empty for the bench; its server's
    ``postgres`` database is used to do so."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _requests() -> list[tuple[str, str]]:
    if SHARED_REQUESTS.exists():
        rows = [json.loads(line) for line in SHARED_REQUESTS.read_text().splitlines() if line]
        return [(r["subject"], r["body"]) for r in rows]
    return [("Straßenlaterne defekt", "Die Laterne vor Hausnummer 5 ist dunkel.\n\nGrüße")]


def corpus(count: int, *, seed: int = 4) -> list[bytes]:
    """New requests (plain, HTML-only, with attachment), replies threading by
    In-Reply-To, and auto-replies, in proportions seen in shared mailboxes."""
    rng = random.Random(seed)
    requests = _requests()
    result: list[bytes] = []
    sent: list[tuple[str, str]] = []  # (Message-ID, sender) of requests
    for index in range(count):
        subject, body = rng.choice(requests)
        sender = f"Person {index} <buerger{index}@example.net>"
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = MAILBOX
        msg["Date"] = format_datetime(__import__("datetime").datetime.now().astimezone())
        message_id = make_msgid(idstring=str(index), domain="example.net")
        msg["Message-ID"] = message_id
        roll = rng.random()
        if roll < 0.15 and sent:
            # The requester answers in the thread of their own mail.
            original_id, original_sender = rng.choice(sent)
            msg.replace_header("From", original_sender)
            msg["Subject"] = f"Re: {subject}"
            msg["In-Reply-To"] = original_id
            msg.set_content("Noch eine Ergänzung zu meiner Anfrage.\n\n" + body[:300])
        elif roll < 0.20:
            msg["Subject"] = f"Automatische Antwort: {subject}"
            msg["Auto-Submitted"] = "auto-replied"
            msg.set_content("Ich bin bis zum 30. November nicht im Büro.")
        elif roll < 0.30:
            msg["Subject"] = subject
            paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            msg.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
            sent.append((message_id, sender))
        elif roll < 0.40:
            msg["Subject"] = subject
            msg.set_content(body)
            msg.add_attachment(
                rng.randbytes(50_000), maintype="application", subtype="pdf", filename="Anlage.pdf"
            )
            sent.append((message_id, sender))
        else:
            msg["Subject"] = subject
            msg.set_content(body)
            sent.append((message_id, sender))
        result.append(msg.as_bytes())
    return result
