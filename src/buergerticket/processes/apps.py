from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "buergerticket.processes"
    label = "processes"
    verbose_name = "Prozesse"

    def ready(self) -> None:
        from buergerticket.core.memo import invalidate_on
        from buergerticket.processes.models import ProcessModel, ProcessVersion

        invalidate_on(ProcessModel, ProcessVersion)
        from django.db.models.signals import post_delete

        from buergerticket.cases import history
        from buergerticket.cases.services import register_status_guard
        from buergerticket.core import jobs
        from buergerticket.processes import builtin_handlers, subscribers, timeline
        from buergerticket.processes.models import Decision
        from buergerticket.processes.services import lifecycle
        from buergerticket.workspace import nav
        from buergerticket.workspace.views.cases import register_panel

        del builtin_handlers  # imported for its registrations
        # A decision's PDF holds personal data: it goes when its row goes (case
        # disposal cascades here), not left behind in storage.
        post_delete.connect(subscribers.delete_decision_file, sender=Decision)
        history.subscribe(subscribers.on_case_event)
        register_status_guard(subscribers.guard_decided)
        # Timers and deferred service tasks: every few seconds, only due rows are read.
        jobs.register("processes.wake", every_seconds=2)(lifecycle.wake_due)
        jobs.register("processes.absences", every_seconds=60)(lifecycle.reroute_absent)
        nav.register(_("Meine Aufgaben"), "processes:my_tasks", order=15)
        nav.register(
            _("Prozessregister"),
            "processes:register",
            order=70,
            roles=("administration", "leitung"),
        )
        from buergerticket.processes.views.panel import case_panel

        register_panel(case_panel)
        timeline.register_all()
        from django.apps import apps as registry

        if registry.is_installed("buergerticket.api"):
            from buergerticket.api import tasks as api_tasks
            from buergerticket.processes.api_tasks import process_tasks

            api_tasks.register_source("process", process_tasks)
