"""The transactional outbox: side effects written with the change, sent by the worker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    SENDING = "sending", _("wird gesendet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("endgültig fehlgeschlagen")


class OutboxItem(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_items"
    )
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    # Makes enqueueing idempotent: the same side effect is never queued twice.
    dedupe_key = models.CharField(max_length=200, unique=True)
    # For mails: lets incoming replies be matched to what we sent.
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class BouncedAddress(models.Model):
    """An address mail to which came back. Hard bounces block further sending
    until an administrator clears the mark or the person writes in again."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(_("Adresse"))
    # True after a permanent failure (5.x.x): the outbox stops sending there.
    blocked = models.BooleanField(_("gesperrt"), default=False)
    bounces = models.PositiveIntegerField(_("Rückläufer"), default=0)
    status = models.CharField(_("Statuscode"), max_length=20, blank=True)
    diagnostic = models.TextField(_("Meldung des Mailservers"), blank=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField(_("letzter Rückläufer"))
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("unzustellbare Adresse")
        verbose_name_plural = _("unzustellbare Adressen")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "address"], name="bounced_address_unique"
            )
        ]

    def __str__(self) -> str:
        return self.address
