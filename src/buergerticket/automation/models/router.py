"""Trained request-router models (per organisation) and the record of imported history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation


class RouterModel(models.Model):
    """One trained version. ``weights`` is an ``.npz`` archive of plain arrays
    (no pickle), so loading a model can never execute code from the database."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="router_models"
    )
    version = models.PositiveIntegerField()
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    trained_by = models.CharField(max_length=200)
    algorithm = models.CharField(max_length=80)
    examples = models.PositiveIntegerField()
    corrections = models.PositiveIntegerField(default=0)
    # The newest case event considered; the retraining job compares against it.
    trained_until = models.DateTimeField(null=True, blank=True)
    threshold = models.FloatField()
    services = models.JSONField(default=dict)  # code → number of examples
    metrics = models.JSONField(default=dict)
    weights = models.BinaryField()

    class Meta:
        verbose_name = _("Zuordnungsmodell")
        verbose_name_plural = _("Zuordnungsmodelle")
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="router_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(active=True),
                name="one_active_router_model",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"Zuordnungsmodell v{self.version}"


class ImportedCase(models.Model):
    """A historical case brought in by ``import-cases``; keeps the import idempotent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source_id = models.CharField(max_length=100)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_id"], name="imported_case_unique"
            )
        ]

    def __str__(self) -> str:
        return self.source_id
