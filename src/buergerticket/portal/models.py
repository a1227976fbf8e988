"""Portal tables: private tracking links and uploads kept while a form is corrected.

Case data itself lives in the cases app and is written only through its services;
these tables hold what the portal needs around it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation


class TrackingLink(models.Model):
    """A private link to one case for a requester without an account.

    Only the SHA-256 of the token is stored: the raw token exists in the link the
    requester received and nowhere in these tables, so a copy of the database does
    not open anybody's mailbox.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tracking_links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20, default="receipt")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("Verfolgungslink")
        verbose_name_plural = _("Verfolgungslinks")
        indexes = [models.Index(fields=["case", "revoked_at"], name="tracking_case_active")]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.purpose})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PendingUpload(models.Model):
    """A checked upload waiting for its form to be corrected and sent.

    A browser cannot refill a file input, so a form with an error keeps the files
    that passed the checks here; the form carries their signed ids. Rows older than
    a day are removed by the worker.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="portal-pending/%Y/%m/%d/", max_length=300)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.name
