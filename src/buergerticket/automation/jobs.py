"""Worker job: retrain the router when enough new labelled cases have come in.

Runs hourly. An organisation is retrained when an administrator asked for it,
or when it has a model and at least ``RETRAIN_MIN_NEW`` (and 10 %) new closed
or corrected cases since that model. A claim column keeps two workers from
training the same organisation at once; the training itself runs outside any
transaction (it can take a while and must not hold locks).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from buergerticket.automation.models import AutomationSettings, RouterModel
from buergerticket.automation.router.training import CORRECTION_EVENTS, TrainingError, train
from buergerticket.cases.models import Case, CaseEvent, Status
from buergerticket.core import jobs
from buergerticket.org.models import Organisation

log = logging.getLogger("buergerticket.automation")
RETRAIN_MIN_NEW = 20
CLAIM = dt.timedelta(hours=2)


def _new_examples(organisation: Organisation, since: dt.datetime) -> int:
    closed = Case.objects.filter(
        organisation=organisation, status=Status.CLOSED, closed_at__gt=since
    ).count()
    corrected = CaseEvent.objects.filter(
        organisation=organisation, type__in=CORRECTION_EVENTS, actor_kind="staff", at__gt=since
    ).count()
    return closed + corrected


def due_organisations() -> list[Organisation]:
    due = []
    requested = set(
        AutomationSettings.objects.filter(training_requested_at__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    for model in RouterModel.objects.filter(active=True).select_related("organisation"):
        since = model.trained_until or model.created_at
        new = _new_examples(model.organisation, since)
        if new >= max(RETRAIN_MIN_NEW, model.examples // 10):
            due.append(model.organisation)
            requested.discard(model.organisation_id)
    due += list(Organisation.objects.filter(pk__in=requested))
    return due


def _claim(organisation: Organisation) -> bool:
    settings, _ = AutomationSettings.objects.get_or_create(organisation=organisation)
    now = timezone.now()
    return bool(
        AutomationSettings.objects.filter(pk=settings.pk)
        .filter(Q(training_started_at__isnull=True) | Q(training_started_at__lt=now - CLAIM))
        .update(training_started_at=now)
    )


def retrain_router() -> int:
    trained = 0
    for organisation in due_organisations():
        if not _claim(organisation):
            continue
        try:
            model = train(organisation, by="Automatisches Nachtraining")
            trained += 1
            log.info("Router für %s trainiert: %s", organisation.slug, model.metrics)
        except TrainingError as exc:
            log.warning("Router für %s nicht trainiert: %s", organisation.slug, exc)
        finally:
            AutomationSettings.objects.filter(organisation=organisation).update(
                training_started_at=None, training_requested_at=None
            )
    return trained


def connect() -> None:
    jobs.register("automation.retrain_router", every_seconds=3600)(retrain_router)
