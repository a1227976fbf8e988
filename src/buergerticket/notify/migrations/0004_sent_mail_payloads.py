"""Mails sent before this release still hold address, text and portal link in the
outbox; they keep only what a sent mail keeps from now on (its Message-IDs)."""

from django.db import migrations

# As notify.mail._KEPT at the time of writing; a migration must not import app code.
KEPT = ("message_id", "in_reply_to", "references", "message", "internal")
BATCH = 2000


def scrub(apps, schema_editor):
    OutboxItem = apps.get_model("notify", "OutboxItem")
    sent = OutboxItem.objects.filter(kind="mail", status="sent").order_by("pk")
    last = 0
    while True:
        items = list(sent.filter(pk__gt=last).only("pk", "payload")[:BATCH])
        if not items:
            return
        for item in items:
            item.payload = {k: v for k, v in item.payload.items() if k in KEPT}
        OutboxItem.objects.bulk_update(items, ["payload"])
        last = items[-1].pk


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_bouncedaddress")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
