"""The records app's scheduled work (registered in ``RecordsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from buergerticket.records import extraction
from buergerticket.records.search import indexer
from buergerticket.records.services import disposal, privacy, readlog


def extract_text() -> int:
    return extraction.extract_pending()


def merge_index() -> None:
    indexer.merge_step()


def disposal_plan() -> int:
    return disposal.plan_all()


def disposal_execute() -> int:
    return disposal.execute_approved()


def anonymise_due() -> int:
    return privacy.anonymise_due()


def purge_read_log() -> int:
    return readlog.purge_expired()


SCHEDULE: list[tuple[str, float, Any]] = [
    ("records.extract_text", 60, extract_text),
    ("records.merge_index", 600, merge_index),
    ("records.disposal_plan", 24 * 3600, disposal_plan),
    ("records.disposal_execute", 300, disposal_execute),
    ("records.anonymise_due", 3600, anonymise_due),
    ("records.purge_read_log", 24 * 3600, purge_read_log),
]
