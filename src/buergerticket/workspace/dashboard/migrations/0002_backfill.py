"""Fill the dashboard's read model for cases that existed before it (frozen copy of the logic)."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseFact = apps.get_model("dashboard", "CaseFact")
    last = 0
    while True:
        batch = list(
            Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values(
                "pk",
                "organisation_id",
                "department_id",
                "service_id",
                "owner_id",
                "channel",
                "status",
                "deadline",
                "created_at",
                "closed_at",
                "closed_automatically",
            )[:5000]
        )
        if not batch:
            return
        rows = []
        for c in batch:
            closed = c["status"] == "abgeschlossen" and c["closed_at"] is not None
            rows.append(
                CaseFact(
                    case_id=c["pk"],
                    organisation_id=c["organisation_id"],
                    department_id=c["department_id"],
                    service_id=c["service_id"],
                    owner_id=c["owner_id"],
                    channel=c["channel"],
                    status=c["status"],
                    is_open=c["status"] != "abgeschlossen",
                    deadline=c["deadline"],
                    created_on=timezone.localdate(c["created_at"]),
                    closed_on=timezone.localdate(c["closed_at"]) if closed else None,
                    close_seconds=(
                        max(0, int((c["closed_at"] - c["created_at"]).total_seconds()))
                        if closed
                        else None
                    ),
                    closed_automatically=bool(closed and c["closed_automatically"]),
                )
            )
        CaseFact.objects.bulk_create(rows, ignore_conflicts=True)
        last = batch[-1]["pk"]


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
