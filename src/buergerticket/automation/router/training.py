"""Training the router from an organisation's own cases, and measuring it honestly.

Examples are the organisation's closed cases (their final service is the
label) plus every case whose service a clerk corrected — those count double,
they are exactly where routing went wrong. Before a model is stored it is
cross-validated: each fold is predicted by a model that never saw it, and the
confidence threshold is chosen on those predictions so that at most
``TARGET_CONFIDENTLY_WRONG`` of requests would go confidently to a wrong
service. Below the threshold a request goes to the fallback service.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.model_selection import StratifiedKFold

from buergerticket.automation.models import AutomationChange, RouterModel
from buergerticket.cases.models import Case, CaseEvent, Status
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation

from . import model as router_model
from .features import request_text

MAX_EXAMPLES = 20_000
MIN_EXAMPLES_PER_SERVICE = 5
MIN_SERVICES = 2
CORRECTION_WEIGHT = 2.0
CV_FOLDS = 5
# Chosen below the 3 % so that unseen data has some margin.
TARGET_CONFIDENTLY_WRONG = 0.02
THRESHOLDS = np.round(np.arange(0.15, 0.96, 0.01), 2)
CORRECTION_EVENTS = ("service_changed", "handed_over")


class TrainingError(Exception):
    """Not enough data to train; the message is German."""


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    corrections: int = 0
    skipped_services: dict[str, int] = field(default_factory=dict)
    newest: dt.datetime | None = None


def collect_examples(organisation: Organisation) -> Examples:
    services = dict(
        Service.objects.filter(organisation=organisation, active=True).values_list("pk", "code")
    )
    corrected = set(
        CaseEvent.objects.filter(
            organisation=organisation, type__in=CORRECTION_EVENTS, actor_kind="staff"
        ).values_list("case_id", flat=True)[:MAX_EXAMPLES]
    )
    rows = list(
        Case.objects.filter(organisation=organisation, status=Status.CLOSED)
        .order_by("-closed_at")
        .values_list("pk", "subject", "text", "service_id")[:MAX_EXAMPLES]
    )
    seen = {pk for pk, *_ in rows}
    missing = [pk for pk in corrected if pk not in seen]
    rows += list(
        Case.objects.filter(pk__in=missing).values_list("pk", "subject", "text", "service_id")
    )
    examples = Examples()
    for pk, subject, text, service_id in rows:
        code = services.get(service_id)
        if code is None:
            continue
        examples.texts.append(request_text(subject, text))
        examples.labels.append(code)
        weight = CORRECTION_WEIGHT if pk in corrected else 1.0
        examples.weights.append(weight)
        examples.corrections += pk in corrected
    counts = Counter(examples.labels)
    rare = {code for code, n in counts.items() if n < MIN_EXAMPLES_PER_SERVICE}
    if rare:
        keep = [i for i, label in enumerate(examples.labels) if label not in rare]
        examples.skipped_services = {code: counts[code] for code in sorted(rare)}
        examples.texts = [examples.texts[i] for i in keep]
        examples.labels = [examples.labels[i] for i in keep]
        examples.weights = [examples.weights[i] for i in keep]
    examples.newest = CaseEvent.objects.filter(organisation=organisation).aggregate(at=Max("at"))[
        "at"
    ]
    return examples


@dataclass
class Evaluation:
    threshold: float
    accuracy: float  # top-1, no threshold
    right: float  # routed to the right service (fallback counts when it is right)
    confidently_wrong: float  # above the threshold, wrong service (not the fallback)
    to_fallback: float
    folds: int
    examples: int
    per_service: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "accuracy": round(self.accuracy, 4),
            "right": round(self.right, 4),
            "confidently_wrong": round(self.confidently_wrong, 4),
            "to_fallback": round(self.to_fallback, 4),
            "folds": self.folds,
            "examples": self.examples,
            "per_service": self.per_service,
        }


def outcome(
    labels: np.ndarray,
    predicted: np.ndarray,
    confidence: np.ndarray,
    threshold: float,
    fallback: str,
) -> tuple[float, float, float]:
    final = np.where(confidence >= threshold, predicted, fallback)
    right = float(np.mean(final == labels))
    wrong = float(np.mean((final != labels) & (final != fallback)))
    to_fallback = float(np.mean(confidence < threshold))
    return right, wrong, to_fallback


def cross_validate(examples: Examples, fallback: str, folds: int = CV_FOLDS) -> Evaluation:
    texts = np.array(examples.texts, dtype=object)
    labels = np.array(examples.labels)
    weights = np.array(examples.weights)
    smallest = int(np.unique(labels, return_counts=True)[1].min())
    n_splits = max(2, min(folds, smallest))
    predicted = np.empty(len(labels), dtype=labels.dtype)
    confidence = np.zeros(len(labels))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=42)
    for train, test in splitter.split(texts, labels):
        fitted = router_model.fit(list(texts[train]), list(labels[train]), weights[train])
        probabilities = fitted.predict(list(texts[test]))
        best = probabilities.argmax(axis=1)
        predicted[test] = np.array(fitted.classes)[best]
        confidence[test] = probabilities[np.arange(len(test)), best]
    accuracy = float(np.mean(predicted == labels))
    chosen = float(THRESHOLDS[-1])
    best_right = -1.0
    for threshold in THRESHOLDS:
        right, wrong, _ = outcome(labels, predicted, confidence, float(threshold), fallback)
        if wrong <= TARGET_CONFIDENTLY_WRONG and right > best_right:
            best_right, chosen = right, float(threshold)
    right, wrong, to_fallback = outcome(labels, predicted, confidence, chosen, fallback)
    per_service = {}
    final = np.where(confidence >= chosen, predicted, fallback)
    for code in sorted(set(examples.labels)):
        mask = labels == code
        per_service[code] = {
            "examples": int(mask.sum()),
            "right": round(float(np.mean(final[mask] == code)), 4),
        }
    return Evaluation(
        threshold=chosen,
        accuracy=accuracy,
        right=right,
        confidently_wrong=wrong,
        to_fallback=to_fallback,
        folds=n_splits,
        examples=len(labels),
        per_service=per_service,
    )


def train(organisation: Organisation, *, by: str, staff: Any = None) -> RouterModel:
    """Collect, cross-validate, fit on everything, store as the new active version."""
    from buergerticket.intake.pipeline import fallback_service

    examples = collect_examples(organisation)
    distinct = set(examples.labels)
    if len(distinct) < MIN_SERVICES:
        found = ", ".join(f"{c}: {n}" for c, n in sorted(Counter(examples.labels).items()))
        raise TrainingError(
            f"Zu wenige abgeschlossene Vorgänge zum Lernen: mindestens {MIN_SERVICES} Leistungen "
            f"mit je {MIN_EXAMPLES_PER_SERVICE} Vorgängen nötig (vorhanden: {found or 'keine'})."
        )
    fallback = fallback_service(organisation).code
    evaluation = cross_validate(examples, fallback)
    fitted = router_model.fit(examples.texts, examples.labels, np.array(examples.weights))
    weights = fitted.to_bytes()
    metrics = evaluation.as_dict()
    metrics["skipped_services"] = examples.skipped_services
    metrics["fallback"] = fallback
    with transaction.atomic():
        latest = (
            RouterModel.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("-version")
            .first()
        )
        version = (latest.version if latest else 0) + 1
        RouterModel.objects.filter(organisation=organisation, active=True).update(active=False)
        stored = RouterModel.objects.create(
            organisation=organisation,
            version=version,
            active=True,
            created_at=timezone.now(),
            trained_by=by[:200],
            algorithm=router_model.ALGORITHM,
            examples=len(examples.labels),
            corrections=examples.corrections,
            trained_until=examples.newest,
            threshold=evaluation.threshold,
            services=dict(Counter(examples.labels)),
            metrics=metrics,
            weights=weights,
        )
        # Old weights are not needed to explain history (the version number is);
        # keep the last five to be able to switch back.
        old = RouterModel.objects.filter(organisation=organisation, version__lte=version - 5)
        old.exclude(weights=b"").update(weights=b"")
        AutomationChange.objects.create(
            organisation=organisation,
            staff=staff,
            actor_label=by[:200],
            kind="router_trained",
            subject=stored.label,
            details={
                k: metrics[k] for k in ("threshold", "right", "confidently_wrong", "examples")
            },
        )
    return stored
