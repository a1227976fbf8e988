"""API clients with hashed tokens, Open311 request bookkeeping, webhooks and their delivery log."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Department, Organisation, Staff


class Scope(models.TextChoices):
    """What an API client may do. Read scopes never imply write scopes."""

    CASES_READ = "cases:read", _("Vorgänge lesen")
    CASES_WRITE = "cases:write", _("Vorgänge anlegen und bearbeiten")
    CATALOG_READ = "catalog:read", _("Leistungen und Fachbereiche lesen")
    TASKS_READ = "tasks:read", _("Aufgaben lesen")
    OPEN311 = "open311", _("Open311-Meldungen einreichen")
    WEBHOOKS = "webhooks", _("Webhooks verwalten")


DEFAULT_SCOPES = [Scope.CASES_READ, Scope.CATALOG_READ, Scope.TASKS_READ]


class ApiClient(models.Model):
    """A system that talks to the REST API or Open311 with a bearer token / ``api_key``.

    Only a SHA-256 hash of the token is stored: tokens are long random strings,
    so a fast hash is enough and lets every request find its client by index.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(_("Name"), max_length=100)
    token_prefix = models.CharField(_("Token-Anfang"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("Berechtigungen"), default=list)
    # Empty: the whole organisation. Otherwise only cases of these departments.
    departments = models.ManyToManyField(
        Department, blank=True, related_name="api_clients", verbose_name=_("Fachbereiche")
    )
    # When set, the client acts as this staff member: it sees and may change
    # exactly what that person may, and its changes carry their name.
    staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("handelt als"),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-Client")
        verbose_name_plural = _("API-Clients")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_client_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def label(self) -> str:
        """How the client appears in case histories."""
        return f"Schnittstelle {self.name}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for opening a case: a retried POST returns the same case."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class Open311Request(models.Model):
    """Open311 facts about a case that came in through GeoReport v2."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="open311"
    )
    client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True)
    account_id = models.CharField(max_length=200, blank=True)
    device_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Open311 {self.case_id}"


class Webhook(models.Model):
    """A URL of the organisation's systems that receives case events."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("Adresse (URL)"), max_length=500)
    description = models.CharField(_("Beschreibung"), max_length=200, blank=True)
    # Event types (``CaseEvent.type``); empty means every event.
    event_types = models.JSONField(_("Ereignisarten"), default=list, blank=True)
    # The shared secret must be readable to sign each delivery (HMAC), so it is
    # stored as is, like every webhook sender does; it is shown to administrators once.
    secret = models.CharField(max_length=100)
    active = models.BooleanField(_("aktiv"), default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhooks")
        ordering = ["organisation", "url"]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_org_active")]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    SENT = "sent", _("zugestellt")
    FAILED = "failed", _("fehlgeschlagen")


class WebhookDelivery(models.Model):
    """One event for one webhook; its payload is fixed when the event happens."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=40)
    event_seq = models.PositiveIntegerField()
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The outbox item that carries this delivery (its unique ``dedupe_key``).
    outbox_key = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log"),
            models.Index(
                fields=["organisation", "status", "-created_at"], name="webhook_delivery_st"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.webhook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, for the administrators' log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"
