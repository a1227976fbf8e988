"""Portal fixtures: the bundled demo catalog (it has the forms), helpers for files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "src" / "buergerticket" / "demo" / "musterstadt.yaml"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def portal_catalog(db):
    """The demo catalog with descriptions and forms (both organisations)."""
    from buergerticket.catalog.loader import load_catalog_file

    load_catalog_file(DEMO)


@pytest.fixture
def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(100, 750, "Bescheid")
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def outbox_mails():
    """Mails queued in the outbox (rendered bodies), oldest first."""
    from buergerticket.notify.mail import mail_body
    from buergerticket.notify.models import OutboxItem

    def get(to: str | None = None) -> list[dict]:
        items = OutboxItem.objects.filter(kind="mail").order_by("pk")
        payloads = [{**i.payload, "body": mail_body(i)} for i in items]
        return [p for p in payloads if to is None or p["to"] == to]

    return get


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the (process-wide) cache; every test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
