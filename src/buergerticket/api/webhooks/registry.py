"""Registering, changing and removing webhooks; retrying deliveries."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buergerticket.api.models import DeliveryStatus, Webhook, WebhookDelivery
from buergerticket.notify import outbox
from buergerticket.notify.models import OutboxItem
from buergerticket.org.models import Organisation

# Event types a webhook can subscribe to; apps may record more, which "all events" includes.
KNOWN_EVENT_TYPES = (
    "intake",
    "assigned",
    "status_changed",
    "reply",
    "note",
    "message_received",
    "handed_over",
    "service_changed",
    "reopened",
    "escalated",
    "deadline_changed",
    "deadline_suspended",
    "deadline_resumed",
    "priority_changed",
    "follow_up_set",
    "document_added",
    "document_published",
    "delivery_failed",
    "tag_added",
    "attention_set",
    "attention_cleared",
)


def new_secret() -> str:
    """A Standard-Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookError(ValueError):
    """Invalid webhook settings; German message shown as is."""


def validate_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    allow_http = getattr(settings, "WEBHOOK_ALLOW_HTTP", False)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookError("Bitte eine vollständige Adresse mit https:// angeben.")
    if parts.scheme == "http" and not allow_http:
        raise WebhookError(
            "Webhooks müssen https verwenden (unverschlüsseltes http ist abgeschaltet)."
        )
    if parts.username or parts.password:
        raise WebhookError("Zugangsdaten gehören nicht in die Adresse; die Signatur schützt.")
    if len(url) > 500:
        raise WebhookError("Die Adresse ist zu lang (höchstens 500 Zeichen).")
    return url


def validate_event_types(event_types: Sequence[str]) -> list[str]:
    result: list[str] = []
    for event_type in event_types:
        event_type = event_type.strip()
        if not event_type:
            continue
        if len(event_type) > 40 or not event_type.replace("_", "").isalnum():
            raise WebhookError(f"„{event_type[:40]}“ ist keine Ereignisart.")
        if event_type not in result:
            result.append(event_type)
    return result


def create_webhook(
    *,
    organisation: Organisation,
    url: str,
    event_types: Sequence[str] = (),
    description: str = "",
    created_by: str = "",
) -> Webhook:
    return Webhook.objects.create(
        organisation=organisation,
        url=validate_url(url),
        event_types=validate_event_types(event_types),
        description=description.strip()[:200],
        secret=new_secret(),
        created_by=created_by[:200],
    )


def update_webhook(
    webhook: Webhook,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Webhook:
    if url is not None:
        webhook.url = validate_url(url)
    if event_types is not None:
        webhook.event_types = validate_event_types(event_types)
    if description is not None:
        webhook.description = description.strip()[:200]
    if active is not None:
        webhook.active = active
        if active:
            webhook.disabled_reason = ""
    webhook.save()
    return webhook


def rotate_secret(webhook: Webhook) -> str:
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook.secret


def delete_webhook(webhook: Webhook) -> None:
    """Pending deliveries die with it: their outbox items fail permanently when their turn comes."""
    webhook.delete()


def retry_delivery(delivery: WebhookDelivery) -> None:
    """An administrator sends a failed delivery again (same id, so receivers can deduplicate)."""
    if delivery.status != DeliveryStatus.FAILED:
        raise WebhookError("Nur fehlgeschlagene Zustellungen können wiederholt werden.")
    if not delivery.webhook.active:
        raise WebhookError("Der Webhook ist deaktiviert; bitte zuerst wieder aktivieren.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
        item = OutboxItem.objects.filter(dedupe_key=delivery.outbox_key).first()
        if item is None:
            # The outbox item was cleaned up since: queue a new one for the same delivery.
            key = f"webhook-retry:{delivery.pk}:{timezone.now().timestamp()}"
            outbox.enqueue(
                organisation=delivery.organisation_id,
                kind="webhook",
                payload={"delivery": str(delivery.uid)},
                dedupe_key=key,
                case=None,
            )
            WebhookDelivery.objects.filter(pk=delivery.pk).update(outbox_key=key)
        else:
            # A fresh round of attempts with the outbox's backoff.
            OutboxItem.objects.filter(pk=item.pk).update(attempts=0)
            outbox.retry(item)
    delivery.status = DeliveryStatus.PENDING
