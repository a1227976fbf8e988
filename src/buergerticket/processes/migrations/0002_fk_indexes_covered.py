"""Drop single-column foreign-key indexes that a composite index already leads.

The schema is changed by dropping the indexes only: Django would otherwise
rebuild the whole table on SQLite once per field, which on a large
installation turns an upgrade into minutes of copying."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_fk_indexes_covered"),
        ("processes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="processinstance",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="process_instances",
                        to="cases.case",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "processes_processinstance_case_id_96f3c533"',
                    reverse_sql='CREATE INDEX "processes_processinstance_case_id_96f3c533" ON "processes_processinstance" ("case_id")',
                ),
            ],
        ),
    ]
