"""The router at intake: a free-text request without a service gets one — or the fallback.

Below the model's confidence threshold the request goes to the fallback
service (triage) instead of a guess. The decision, the model version and the
confidence are written to the case's history.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from buergerticket.automation.models import RouterModel
from buergerticket.cases.history import Actor
from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.org.models import Organisation

from .features import request_text
from .model import Predictor

if TYPE_CHECKING:
    from buergerticket.intake.pipeline import Draft

_cache: dict[int, tuple[int, Predictor]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Prediction:
    model_version: int
    service_code: str
    confidence: float
    threshold: float
    confident: bool
    ranking: list[tuple[str, float]]


_active: Memo[tuple[int, int, float] | None] = Memo("automation.router_model", keep_none=True)


def active_model_id(organisation: Organisation) -> tuple[int, int, float] | None:
    """(pk, version, threshold) of the active model — None when there is none or the
    organisation switched routing off (one query for both, remembered briefly)."""
    return _active.get(organisation.pk, lambda: _load_active(organisation))


def _load_active(organisation: Organisation) -> tuple[int, int, float] | None:
    switched_on = Q(organisation__automation_settings__isnull=True) | Q(
        organisation__automation_settings__router_enabled=True
    )
    return (
        RouterModel.objects.filter(switched_on, organisation=organisation, active=True)
        .values_list("pk", "version", "threshold")
        .first()
    )


def _predictor(model_id: int, organisation_id: int) -> Predictor:
    with _lock:
        cached = _cache.get(organisation_id)
        if cached is not None and cached[0] == model_id:
            return cached[1]
    weights = RouterModel.objects.values_list("weights", flat=True).get(pk=model_id)
    predictor = Predictor.from_bytes(bytes(weights))
    with _lock:
        _cache[organisation_id] = (model_id, predictor)
    return predictor


def predict(organisation: Organisation, subject: str, text: str) -> Prediction | None:
    active = active_model_id(organisation)
    if active is None:
        return None
    model_id, version, threshold = active
    predictor = _predictor(model_id, organisation.pk)
    probabilities = predictor.predict([request_text(subject, text)])[0]
    order = probabilities.argsort()[::-1]
    ranking = [(predictor.classes[i], float(probabilities[i])) for i in order[:3]]
    code, confidence = ranking[0]
    return Prediction(
        model_version=version,
        service_code=code,
        confidence=confidence,
        threshold=threshold,
        confident=confidence >= threshold,
        ranking=ranking,
    )


def route(draft: Draft) -> None:
    """Preprocessor: set the service of a request that has none yet."""
    from buergerticket.intake.pipeline import Decision, fallback_service

    if draft.service is not None:
        return
    prediction = predict(draft.organisation, draft.subject, draft.text)
    if prediction is None:
        return
    target: Service | None = None
    note = ""
    if prediction.confident:
        target = (
            Service.objects.select_related("owner", "department", "file_plan")
            .filter(organisation=draft.organisation, code=prediction.service_code, active=True)
            .first()
        )
        if target is None:
            note = "vorhergesagte Leistung ist nicht mehr aktiv"
    else:
        note = (
            f"Sicherheit {prediction.confidence * 100:.0f} % unter der Schwelle "
            f"{prediction.threshold * 100:.0f} %"
        )
    # Only looked up when needed: most requests are routed confidently.
    routed_to = target or fallback_service(draft.organisation)
    draft.service = routed_to
    draft.meta["service_source"] = "router"
    draft.meta["router_prediction"] = prediction
    draft.decide(
        Decision(
            type="routed",
            actor=Actor.automation(f"Zuordnungsmodell v{prediction.model_version}"),
            details={
                "service": routed_to.code,
                "by": "model",
                "model_version": prediction.model_version,
                "predicted": prediction.service_code,
                # Whole percent: event details keep integers, not floats.
                "confidence": round(prediction.confidence * 100),
                "threshold": round(prediction.threshold * 100),
                "fallback": target is None,
            },
            reason=note
            or f"Vorhersage {prediction.service_code} mit Sicherheit "
            f"{prediction.confidence * 100:.0f} %",
        )
    )
