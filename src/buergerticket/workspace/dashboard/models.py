"""A narrow read model of every case for the dashboard, kept current by an event subscriber.

The dashboard's figures over a million cases must come back in well under a
second on SQLite. Aggregating the wide case table would read every row; this
table holds one short row per case with exactly the columns the figures group
and filter by, and covering indexes, so each figure is an index-only scan.
Local calendar days (Europe/Berlin) are computed once when the row is written.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from buergerticket.cases.models import Case
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, Staff


class CaseFact(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # Foreign keys without their own indexes: the covering indexes below lead with
    # the organisation, and every extra index would slow down each case change.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, db_index=False, related_name="+")
    owner = models.ForeignKey(Staff, on_delete=models.CASCADE, db_index=False, related_name="+")
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    is_open = models.BooleanField()
    deadline = models.DateField()
    created_on = models.DateField()
    closed_on = models.DateField(null=True)
    # Seconds from intake to closing; the basis of median and 90th percentile.
    close_seconds = models.PositiveIntegerField(null=True)
    closed_automatically = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Queried with ``is_open__in=[True]`` (selectors.OPEN): Django writes
            # ``is_open=True`` as the bare column, which SQLite cannot use as an index
            # equality, and without table statistics it then scans the organisation.
            models.Index(
                fields=["organisation", "is_open", "department", "owner", "status", "deadline"],
                name="fact_open",
            ),
            models.Index(
                fields=["organisation", "created_on", "channel", "department"], name="fact_intake"
            ),
            models.Index(
                fields=[
                    "organisation",
                    "closed_on",
                    "department",
                    "service",
                    "close_seconds",
                    "closed_automatically",
                    "owner",
                ],
                name="fact_closed",
                condition=Q(closed_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.case_id}"
