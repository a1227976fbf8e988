"""Webhooks: events become signed deliveries through the outbox, retried with backoff, logged."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from buergerticket.api.models import DeliveryStatus, Webhook, WebhookDelivery
from buergerticket.api.webhooks import registry, signing
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.notify import outbox
from buergerticket.notify.models import OutboxItem, OutboxStatus

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP endpoint on localhost that answers with the statuses it is told to."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append({"headers": headers, "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"danke" if status < 300 else b"kaputt")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hook(musterstadt, receiver):
    return registry.create_webhook(organisation=musterstadt, url=receiver.url)


def deliver(now: dt.datetime | None = None) -> dict[str, int]:
    if now is None:
        return outbox.deliver_due()
    with time_machine.travel(now, tick=False):
        return outbox.deliver_due()


def webhook_items() -> list[OutboxItem]:
    return list(OutboxItem.objects.filter(kind="webhook").order_by("pk"))


def test_an_event_becomes_a_signed_delivery(hook, receiver, open_case):
    case = open_case()
    deliveries = list(WebhookDelivery.objects.order_by("event_seq"))
    assert [d.event_type for d in deliveries] == ["intake", "assigned"]
    assert len(webhook_items()) == 2
    deliver()
    assert len(receiver.requests) == 2
    first = receiver.requests[0]
    headers = first["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["buergerticket-event"] == "intake"
    assert signing.verify(hook.secret, first["headers"], first["body"], int(time.time()))
    assert not signing.verify(
        "whsec_" + "A" * 44, first["headers"], first["body"], int(time.time())
    )
    tampered = first["body"].replace(b"intake", b"forged")
    assert not signing.verify(hook.secret, first["headers"], tampered, int(time.time()))
    payload = json.loads(first["body"])
    assert payload["type"] == "intake"
    assert payload["id"] == headers["webhook-id"]
    assert payload["case"]["file_number"] == case.file_number
    assert payload["case"]["url"].endswith(f"/api/v1/cases/{case.pk}")
    # Data minimisation: no requester data leaves with a webhook.
    assert b"Erika" not in first["body"] and b"erika@" not in first["body"]
    assert all(d.status == DeliveryStatus.SENT for d in WebhookDelivery.objects.all())


def test_event_type_filter_and_inactive_hooks(musterstadt, receiver, open_case, staff):
    registry.create_webhook(
        organisation=musterstadt, url=receiver.url, event_types=["status_changed"]
    )
    paused = registry.create_webhook(organisation=musterstadt, url=receiver.url)
    registry.update_webhook(paused, active=False)
    case = open_case()
    assert not WebhookDelivery.objects.exists()
    services.set_status(case.pk, actor=Actor.for_staff(staff("s.wagner")), status="in_bearbeitung")
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["status_changed"]


def test_other_organisations_hooks_hear_nothing(stadtwerke, receiver, open_case):
    registry.create_webhook(organisation=stadtwerke, url=receiver.url)
    open_case()
    assert not WebhookDelivery.objects.exists()


def test_rolled_back_change_delivers_nothing(hook, open_case, staff):
    case = open_case()
    WebhookDelivery.objects.all().delete()
    OutboxItem.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_note(case.pk, actor=Actor.for_staff(staff("s.wagner")), text="x")
        raise RuntimeError("crash before commit")
    assert not WebhookDelivery.objects.exists()
    assert not webhook_items()


def test_server_errors_are_retried_with_backoff(hook, receiver, open_case):
    receiver.statuses = [500, 503]
    open_case()
    WebhookDelivery.objects.filter(event_type="assigned").delete()
    OutboxItem.objects.filter(kind="webhook").exclude(
        dedupe_key__in=WebhookDelivery.objects.values("outbox_key")
    ).delete()
    start = timezone.now()
    assert deliver(start)["retry"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    item = webhook_items()[0]
    assert item.next_attempt_at >= start + dt.timedelta(seconds=59)
    # Not due yet: nothing happens half a minute later.
    assert deliver(start + dt.timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0}
    assert deliver(start + dt.timedelta(minutes=2))["retry"] == 1
    item.refresh_from_db()
    assert item.next_attempt_at >= start + dt.timedelta(minutes=3)
    assert deliver(start + dt.timedelta(minutes=5))["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert [t.status_code for t in delivery.tries.all()] == [500, 503, 200]
    # Every attempt carries the same delivery id, so the receiver can drop duplicates.
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {str(delivery.uid)}


def test_client_errors_fail_at_once_and_can_be_retried_by_an_administrator(
    hook, receiver, open_case
):
    receiver.statuses = [400, 400]
    open_case()
    counts = deliver()
    assert counts["failed"] == 2
    failed = WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED)
    assert failed.count() == 2
    delivery = failed.order_by("event_seq").first()
    registry.retry_delivery(delivery)
    assert deliver()["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_gone_switches_the_webhook_off(hook, receiver, open_case):
    receiver.statuses = [410]
    open_case()
    deliver()
    hook.refresh_from_db()
    assert hook.active is False
    assert "410" in hook.disabled_reason


def test_unreachable_receiver_gives_up_after_the_last_attempt(musterstadt, open_case):
    registry.create_webhook(organisation=musterstadt, url="http://127.0.0.1:9/nichts")
    open_case()
    OutboxItem.objects.filter(kind="webhook").update(attempts=outbox.MAX_ATTEMPTS - 1)
    WebhookDelivery.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert deliver()["failed"] == 2
    delivery = WebhookDelivery.objects.first()
    assert delivery.status == DeliveryStatus.FAILED
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert OutboxItem.objects.filter(status=OutboxStatus.FAILED).count() == 2


def test_https_is_required_outside_development(settings, musterstadt):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(registry.WebhookError):
        registry.create_webhook(organisation=musterstadt, url="http://intranet.example/hook")
    with pytest.raises(registry.WebhookError):
        registry.create_webhook(organisation=musterstadt, url="https://user:pw@x.example/")
    assert registry.create_webhook(organisation=musterstadt, url="https://x.example/h").pk


def test_webhooks_through_the_api(api, api_as, receiver):
    created = api.post("/webhooks", {"url": receiver.url, "event_types": ["reply"]})
    assert created.status_code == 201
    data = created.json()
    assert data["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"/webhooks/{data['id']}").json()
    assert api.patch(f"/webhooks/{data['id']}", {"active": False}).json()["active"] is False
    bad = api.post("/webhooks", {"url": "ftp://x"})
    assert bad.status_code == 422
    assert api.get(f"/webhooks/{data['id']}/deliveries").json() == []
    assert api_as(org="stadtwerke").get(f"/webhooks/{data['id']}").status_code == 404
    assert api.delete(f"/webhooks/{data['id']}").status_code == 204
    assert not Webhook.objects.exists()


def test_delivery_log_for_administrators(hook, receiver, open_case, staff):
    receiver.statuses = [500]
    open_case()
    deliver()
    admin = Client()
    admin.force_login(staff("admin").user)
    page = admin.get(f"/arbeitsplatz/schnittstellen/webhooks/{hook.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HTTP 500" in html and "intake" in html
    listing = admin.get("/arbeitsplatz/schnittstellen/webhooks/").content.decode()
    assert receiver.url in listing
    clerk = Client()
    clerk.force_login(staff("s.wagner").user)
    assert clerk.get(f"/arbeitsplatz/schnittstellen/webhooks/{hook.pk}/").status_code == 403


def test_administrators_of_another_organisation_cannot_reach_a_webhook(hook, staff, catalog):
    from buergerticket.org.models import Staff

    other_admin = Staff.objects.filter(organisation__slug="stadtwerke").first()
    other_admin.roles = ["administration"]
    other_admin.save(update_fields=["roles"])
    client = Client()
    client.force_login(other_admin.user)
    assert client.get(f"/arbeitsplatz/schnittstellen/webhooks/{hook.pk}/").status_code == 404
    assert (
        client.post(f"/arbeitsplatz/schnittstellen/webhooks/{hook.pk}/loeschen/").status_code == 404
    )
    assert Webhook.objects.filter(pk=hook.pk).exists()
    assert hook.url not in client.get("/arbeitsplatz/schnittstellen/webhooks/").content.decode()
