from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "buergerticket.cases"
    label = "cases"
    verbose_name = "Vorgänge"

    def ready(self) -> None:
        from buergerticket.cases import jobs as case_jobs
        from buergerticket.core import jobs

        jobs.register("cases.absences", every_seconds=60)(case_jobs.apply_absences)
        jobs.register("cases.escalate", every_seconds=300)(case_jobs.escalate_overdue)
