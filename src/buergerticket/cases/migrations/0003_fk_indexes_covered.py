"""Drop single-column foreign-key indexes that a composite index already leads.

The schema is changed by dropping the indexes only: Django would otherwise
rebuild the whole table on SQLite once per field, which on a large
installation turns an upgrade into minutes of copying."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_initial"),
        ("org", "0002_config_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="org.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="org.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_cases",
                        to="org.staff",
                        verbose_name="Zuständig",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="regular_owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deputised_cases",
                        to="org.staff",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="requester_account",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="requested_cases",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.organisation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_organisation_id_dac38ff3"',
                    reverse_sql='CREATE INDEX "cases_case_organisation_id_dac38ff3" ON "cases_case" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_department_id_c5b7309d"',
                    reverse_sql='CREATE INDEX "cases_case_department_id_c5b7309d" ON "cases_case" ("department_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_owner_id_352cf2f7"',
                    reverse_sql='CREATE INDEX "cases_case_owner_id_352cf2f7" ON "cases_case" ("owner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_regular_owner_id_38e994f2"',
                    reverse_sql='CREATE INDEX "cases_case_regular_owner_id_38e994f2" ON "cases_case" ("regular_owner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_requester_account_id_00f2a96e"',
                    reverse_sql='CREATE INDEX "cases_case_requester_account_id_00f2a96e" ON "cases_case" ("requester_account_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseevent_case_id_6c6031ac"',
                    reverse_sql='CREATE INDEX "cases_caseevent_case_id_6c6031ac" ON "cases_caseevent" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseevent_organisation_id_2f19db67"',
                    reverse_sql='CREATE INDEX "cases_caseevent_organisation_id_2f19db67" ON "cases_caseevent" ("organisation_id")',
                ),
            ],
        ),
    ]
