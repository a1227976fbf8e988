"""Drop single-column foreign-key indexes that a composite index already leads.

The schema is changed by dropping the indexes only: Django would otherwise
rebuild the whole table on SQLite once per field, which on a large
installation turns an upgrade into minutes of copying."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_fk_indexes_covered"),
        ("intake", "0001_initial"),
        ("org", "0002_config_change"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mailreceipt",
                    name="case",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="mail_receipts",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="mailreceipt",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.organisation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "intake_mailreceipt_case_id_86d34854"',
                    reverse_sql='CREATE INDEX "intake_mailreceipt_case_id_86d34854" ON "intake_mailreceipt" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "intake_mailreceipt_organisation_id_8f6b03f6"',
                    reverse_sql='CREATE INDEX "intake_mailreceipt_organisation_id_8f6b03f6" ON "intake_mailreceipt" ("organisation_id")',
                ),
            ],
        ),
    ]
