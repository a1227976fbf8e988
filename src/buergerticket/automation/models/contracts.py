"""Contract data mirrored from the billing system, and what we write back to it.

The billing system (SAP IS-U, a CSV export, …) is the master of contract data.
We keep a mirror so the Abschlag rule can check a request in milliseconds, and
record every change we make (``ContractChange``) until the billing system
confirms it in a later export.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation, Staff, User


class Contract(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("Vertragsnummer"), max_length=8)
    holder_name = models.CharField(_("Name"), max_length=200)
    # Stored lower-case: the sender check compares case-insensitively.
    email = models.EmailField(_("E-Mail"), blank=True)
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    division = models.CharField(_("Sparte"), max_length=40, blank=True)
    installment = models.DecimalField(_("Abschlag (EUR)"), max_digits=9, decimal_places=2)
    arrears = models.DecimalField(_("Rückstand (EUR)"), max_digits=9, decimal_places=2)
    status = models.CharField(_("Status"), max_length=30)
    # Set when we changed the installment: from when the new amount applies.
    installment_effective_from = models.DateField(_("Abschlag gültig ab"), null=True, blank=True)
    # False when the last full export no longer contained the contract.
    in_export = models.BooleanField(_("im letzten Export"), default=True)
    # When the billing system last confirmed this row (import time).
    imported_at = models.DateTimeField(_("Stand"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Vertrag")
        verbose_name_plural = _("Verträge")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="contract_number_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "email"], name="contract_org_email")]

    def __str__(self) -> str:
        return self.number


class ContractAccount(models.Model):
    """A citizen account (portal login) that belongs to the contract holder.

    Portal submissions from a linked account pass the Abschlag rule's holder check.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="accounts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contracts")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("Kundenkonto zum Vertrag")
        verbose_name_plural = _("Kundenkonten zu Verträgen")
        constraints = [
            models.UniqueConstraint(fields=["contract", "user"], name="contract_account_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} ↔ {self.user.username}"


class ContractChangeStatus(models.TextChoices):
    PENDING = "pending", _("wird übermittelt")
    DELIVERED = "delivered", _("an Abrechnung übermittelt")
    CONFIRMED = "confirmed", _("von Abrechnung bestätigt")
    SUPERSEDED = "superseded", _("von Abrechnung überschrieben")
    FAILED = "failed", _("Übermittlung fehlgeschlagen")


# Changes the billing system has not confirmed yet.
OPEN_CHANGE_STATUSES = (ContractChangeStatus.PENDING, ContractChangeStatus.DELIVERED)


class ContractChange(models.Model):
    """A write-back to the billing system (a new installment), recorded before it leaves."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    old_installment = models.DecimalField(max_digits=9, decimal_places=2)
    new_installment = models.DecimalField(max_digits=9, decimal_places=2)
    effective_from = models.DateField()
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connector = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12, choices=ContractChangeStatus.choices, default=ContractChangeStatus.PENDING
    )
    external_reference = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Vertragsänderung")
        verbose_name_plural = _("Vertragsänderungen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contract", "status"], name="contract_change_status")]

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.old_installment} → {self.new_installment}"


class ContractImport(models.Model):
    """One run of ``import-contracts``: what it did, and each rejected row with its reasons."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    full = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    rejected_rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%d.%m.%Y %H:%M})"
