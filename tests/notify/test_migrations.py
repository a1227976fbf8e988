"""Upgrading: mails sent before the release lose address, text and portal link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("notify", "0003_bouncedaddress")]
AFTER = [("notify", "0004_sent_mail_payloads")]


@pytest.mark.django_db(transaction=True)
def test_upgrade_empties_sent_mails_and_keeps_unsent_ones(musterstadt):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    item = executor.loader.project_state(BEFORE).apps.get_model("notify", "OutboxItem")
    payload = {
        "to": "juergen@example.org",
        "subject": "[M-1] Eingangsbestätigung",
        "render": {"context": {"portal_url": "https://x/musterstadt/verfolgen/geheim/"}},
        "message_id": "<r1@musterstadt.example>",
        "references": ["<b1@example.org>"],
    }
    now = timezone.now()
    for key, status in (("sent", "sent"), ("waiting", "pending")):
        item.objects.create(
            organisation_id=musterstadt.pk,
            kind="mail",
            payload=payload,
            dedupe_key=key,
            status=status,
            next_attempt_at=now,
            created_at=now,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    item = executor.loader.project_state(AFTER).apps.get_model("notify", "OutboxItem")
    assert item.objects.get(dedupe_key="sent").payload == {
        "message_id": "<r1@musterstadt.example>",
        "references": ["<b1@example.org>"],
    }
    assert item.objects.get(dedupe_key="waiting").payload == payload
