"""The request router: historical import, training with cross-validation, routing at intake."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from buergerticket.automation.models import ImportedCase, RouterModel
from buergerticket.automation.router.training import collect_examples, train
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.catalog.models import Service
from buergerticket.cli import main
from buergerticket.notify.models import OutboxItem

from .conftest import REQUESTS_TRAIN


@pytest.mark.django_db
def test_router_learns_from_imported_cases_and_routes_new_mail(musterstadt, capsys, submit_mail):
    assert main(["import-cases", "--org", "musterstadt", str(REQUESTS_TRAIN)]) == 0
    assert "330 neu" in capsys.readouterr().out
    # Historical cases are closed, kept as imported, and nobody got a receipt for them.
    assert Case.objects.filter(organisation=musterstadt, status=Status.CLOSED).count() == 330
    assert not OutboxItem.objects.exists()
    assert main(["import-cases", "--org", "musterstadt", str(REQUESTS_TRAIN)]) == 0
    assert "0 neu, 330 bereits vorhanden" in capsys.readouterr().out
    assert ImportedCase.objects.count() == 330

    assert main(["train-router", "--org", "musterstadt", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    # The target, measured on requests the model did not see (cross-validation).
    assert metrics["right"] >= 0.90
    assert metrics["confidently_wrong"] <= 0.03
    assert metrics["examples"] == 330 and metrics["version"] == 1

    model = RouterModel.objects.get(organisation=musterstadt, active=True)
    # Stored as plain arrays: loading never unpickles anything.
    with np.load(io.BytesIO(bytes(model.weights)), allow_pickle=False) as arrays:
        assert "svm_coef" in arrays.files

    result = submit_mail(
        "musterstadt",
        "Karl Klein <karl@example.org>",
        "Laterne kaputt",
        "Guten Tag,\n\ndie Straßenlaterne vor der Goethestraße 14 ist seit Tagen dunkel. "
        "Bitte reparieren Sie die Lampe.\n\nGrüße\nKarl Klein",
    )
    assert result.case.service.code == "maengel-beleuchtung"
    routed = result.case.events.get(type="routed")
    assert routed.actor_label == "Zuordnungsmodell v1"
    assert routed.details["model_version"] == 1 and routed.details["fallback"] is False
    assert routed.details["confidence"] >= round(model.threshold * 100)

    vague = submit_mail(
        "musterstadt", "x@example.org", "Frage", "Hallo, ich hätte da mal eine Frage an Sie."
    )
    assert vague.case.service.code == "allgemein"
    event = vague.case.events.get(type="routed")
    assert event.details["fallback"] or event.details["predicted"] == "allgemein"
    assert (
        main(
            [
                "route",
                "--org",
                "musterstadt",
                "--subject",
                "Hundesteuer",
                "--text",
                "Ich möchte meinen Hund anmelden.",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["service"] == "steuer-hund"


@pytest.mark.django_db
def test_a_clerks_correction_feeds_the_next_training(musterstadt, staff, tmp_path, submit_mail):
    lines = REQUESTS_TRAIN.read_text(encoding="utf-8").splitlines()
    wanted = {"maengel-strasse", "ordnung-laerm", "allgemein"}
    subset = [line for line in lines if json.loads(line)["service"] in wanted][:45]
    path = tmp_path / "subset.jsonl"
    path.write_text("\n".join(subset), encoding="utf-8")
    assert main(["import-cases", "--org", "musterstadt", str(path)]) == 0
    first = train(musterstadt, by="Test")
    assert first.corrections == 0

    # A new case lands in the wrong service; the clerk corrects it (an Abgabe to ORD).
    case = services.open_case(
        services.Intake(
            service=Service.objects.get(code="allgemein"),
            channel="email",
            subject="Partylärm jede Nacht",
            text="Die Nachbarn feiern jede Nacht bis 3 Uhr.",
        ),
        actor=Actor.requester(),
    )
    services.change_service(
        case,
        actor=Actor.for_staff(staff("m.yilmaz")),
        service=Service.objects.get(code="ordnung-laerm"),
    )
    examples = collect_examples(musterstadt)
    index = examples.texts.index(next(t for t in examples.texts if "partylärm" in t))
    assert examples.labels[index] == "ordnung-laerm" and examples.weights[index] == 2.0
    second = train(musterstadt, by="Test")
    assert second.version == 2 and second.corrections == 1
    assert RouterModel.objects.filter(organisation=musterstadt, active=True).get() == second

    # With routing switched off, requests without a service go straight to triage.
    from buergerticket.automation.rules.services import set_router_enabled

    set_router_enabled(musterstadt, enabled=False, staff=None)
    result = submit_mail("musterstadt", "a@example.org", "Lärm", "Partylärm jede Nacht")
    assert result.case.service.code == "allgemein"
    assert not result.case.events.filter(type="routed").exists()


@pytest.mark.django_db
def test_training_without_enough_cases_explains_itself(stadtwerke, capsys):
    assert main(["train-router", "--org", "stadtwerke"]) == 2
    assert "Zu wenige abgeschlossene Vorgänge" in capsys.readouterr().err
    assert not RouterModel.objects.exists()


@pytest.mark.django_db
def test_import_cases_rejects_bad_lines_and_keeps_the_rest(musterstadt, tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    good = {
        "id": "X1",
        "from": "A <a@example.org>",
        "subject": "Hund",
        "body": "Hundesteuer",
        "service": "steuer-hund",
    }
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{kaputt",
                json.dumps({**good, "id": "X2", "service": "gibt-es-nicht"}),
                json.dumps({"id": "X3", "subject": "x"}),
            ]
        ),
        encoding="utf-8",
    )
    assert main(["import-cases", "--org", "musterstadt", str(path)]) == 1
    captured = capsys.readouterr()
    assert "1 neu" in captured.out and "3 abgelehnt" in captured.out
    assert "Zeile 2: kein gültiges JSON" in captured.err
    assert "gibt-es-nicht" in captured.err and "„body“ fehlt" in captured.err


@pytest.mark.django_db
def test_worker_retrains_on_request_and_after_enough_new_cases(musterstadt, tmp_path):
    from buergerticket.automation.jobs import retrain_router
    from buergerticket.automation.models import AutomationSettings
    from buergerticket.automation.rules.services import request_training

    lines = REQUESTS_TRAIN.read_text(encoding="utf-8").splitlines()
    subset = [line for line in lines if json.loads(line)["service"] in {"steuer-hund", "allgemein"}]
    path = tmp_path / "subset.jsonl"
    path.write_text("\n".join(subset[:30]), encoding="utf-8")
    assert main(["import-cases", "--org", "musterstadt", str(path)]) == 0
    assert retrain_router() == 0  # no model, nobody asked: nothing to do
    request_training(musterstadt, staff=None)
    assert retrain_router() == 1
    assert RouterModel.objects.get(active=True).version == 1
    settings = AutomationSettings.objects.get(organisation=musterstadt)
    assert settings.training_requested_at is None and settings.training_started_at is None
    assert retrain_router() == 0  # nothing new since
    path.write_text("\n".join(subset[30:54]), encoding="utf-8")
    assert main(["import-cases", "--org", "musterstadt", str(path)]) == 0
    assert retrain_router() == 1
    assert RouterModel.objects.get(active=True).version == 2
