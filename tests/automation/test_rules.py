"""The rule engine: administrators' rules act on new requests and are recorded on the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from buergerticket.automation.models import ReplyTemplate, Rule, RuleRevision
from buergerticket.automation.rules.services import RuleError, save_rule
from buergerticket.cases.models import Priority


def rule(org, staff=None, **data):
    return save_rule(org, staff=staff, data={"name": "Regel", "active": True, **data})


@pytest.mark.django_db
def test_a_matching_rule_sets_priority_tag_and_is_in_the_history(musterstadt, submit_mail):
    made = rule(
        musterstadt,
        name="Notfall",
        conditions=[{"field": "subject_or_text", "op": "contains", "value": "gefahr, notfall"}],
        actions=[{"type": "set_priority", "value": "4"}, {"type": "add_tag", "value": "eilig"}],
    )
    result = submit_mail(
        "musterstadt",
        "a@example.org",
        "Baum droht umzustürzen",
        "Es besteht Gefahr!",
        service="maengel-strasse",
    )
    case = result.case
    assert case.priority == Priority.URGENT and case.tags == ["eilig"]
    fired = case.events.get(type="rule_fired")
    assert fired.actor_label == "Regel „Notfall“ v1" and fired.actor_kind == "automation"
    assert fired.details["rule"] == made.pk and fired.details["version"] == 1
    # Not matching: nothing happens.
    other = submit_mail(
        "musterstadt",
        "a@example.org",
        "Schlagloch",
        "Loch in der Straße",
        service="maengel-strasse",
    )
    assert other.case.priority == Priority.NORMAL
    assert not other.case.events.filter(type="rule_fired").exists()


@pytest.mark.django_db
def test_rules_run_in_order_and_can_stop_later_rules(musterstadt, submit_mail):
    first = rule(
        musterstadt,
        name="Polizei",
        stop_processing=True,
        conditions=[{"field": "sender_domain", "op": "ends_with", "value": "polizei.example"}],
        actions=[{"type": "set_service", "value": "ordnung-parken"}],
    )
    rule(
        musterstadt,
        name="Alles nach Lärm",
        conditions=[{"field": "channel", "op": "equals", "value": "email"}],
        actions=[{"type": "set_service", "value": "ordnung-laerm"}],
    )
    result = submit_mail("musterstadt", "wache@bezirk.polizei.example", "Meldung", "Auto")
    assert result.case.service.code == "ordnung-parken"
    assert result.case.events.filter(type="rule_fired").count() == 1
    # A person's choice of service is never overridden by a rule.
    chosen = submit_mail(
        "musterstadt", "wache@bezirk.polizei.example", "Meldung", "Auto", service="steuer-hund"
    )
    assert chosen.case.service.code == "steuer-hund"
    assert "gewählt" in chosen.case.events.get(type="rule_fired").reason
    # Moving the second rule up changes the outcome.
    from buergerticket.automation.rules.services import move_rule

    move_rule(first, staff=None, up=False)
    again = submit_mail("musterstadt", "wache@bezirk.polizei.example", "Meldung", "Auto")
    assert again.case.service.code == "ordnung-parken"  # later rule overrides the earlier one
    assert again.case.events.filter(type="rule_fired").count() == 2


@pytest.mark.django_db
def test_time_form_and_regex_conditions(stadtwerke, submit_mail, catalog):
    from buergerticket.cases.history import Actor
    from buergerticket.catalog.models import Service
    from buergerticket.intake import pipeline

    rule(
        stadtwerke,
        name="Nachts",
        conditions=[
            {"field": "time", "op": "between", "value": "20:00-06:00"},
            {"field": "subject", "op": "regex", "value": r"st(ö|oe)rung"},
        ],
        actions=[{"type": "set_priority", "value": "3"}],
    )
    rule(
        stadtwerke,
        name="Hoher Zählerstand",
        conditions=[{"field": "form", "key": "stand", "op": "greater", "value": "99999"}],
        actions=[{"type": "add_tag", "value": "pruefen"}],
    )

    def submit(subject, hour, form=None):
        received = timezone.make_aware(dt.datetime(2026, 11, 18, hour, 30))
        draft = pipeline.Draft(
            organisation=stadtwerke,
            channel="portal",
            subject=subject,
            service=Service.objects.get(code="sw-zaehlerstand"),
            form_data=form or {},
            received_at=received,
        )
        return pipeline.submit(draft, actor=Actor.requester()).case

    assert submit("Störung Gas", 23).priority == 3
    assert submit("Stoerung Gas", 2).priority == 3
    assert submit("Störung Gas", 12).priority == 2
    assert submit("Zählerstand", 12, {"stand": "123456"}).tags == ["pruefen"]
    assert submit("Zählerstand", 12, {"stand": "12"}).tags == []


@pytest.mark.django_db
def test_template_reply_and_handler_actions_act_after_the_case_exists(musterstadt, submit_mail):
    template = ReplyTemplate.objects.create(
        organisation=musterstadt,
        name="Eingang Sperrmüll",
        subject="Ihr Sperrmüll-Termin",
        body="Guten Tag {name}, Ihr Anliegen {aktenzeichen} ({leistung}) ist da. {unbekannt}",
    )
    rule(
        musterstadt,
        name="Sperrmüll-Antwort",
        conditions=[{"field": "text", "op": "contains", "value": "sperrmüll"}],
        actions=[{"type": "send_reply", "value": str(template.pk)}],
    )
    result = submit_mail(
        "musterstadt",
        "Eva <eva@example.org>",
        "Termin",
        "Sperrmüll abholen",
        service="abfall-abholung",
    )
    reply = result.case.messages.get(kind="outgoing")
    assert reply.subject == "Ihr Sperrmüll-Termin"
    assert reply.body.startswith(f"Guten Tag Eva, Ihr Anliegen {result.case.file_number}")
    assert "{unbekannt}" in reply.body
    assert result.case.events.get(type="reply").actor_label == "Regel „Sperrmüll-Antwort“ v1"


@pytest.mark.django_db
def test_switched_off_service_gets_no_automated_action(musterstadt, submit_mail):
    from buergerticket.automation.rules.services import set_service_automation
    from buergerticket.catalog.models import Service

    rule(
        musterstadt,
        name="Tag",
        conditions=[{"field": "channel", "op": "equals", "value": "email"}],
        actions=[{"type": "add_tag", "value": "x"}],
    )
    set_service_automation(Service.objects.get(code="maengel-strasse"), enabled=False, staff=None)
    result = submit_mail("musterstadt", "a@example.org", "Loch", "Loch", service="maengel-strasse")
    assert result.case.tags == []
    assert result.reason == "automation_disabled"
    assert result.case.events.filter(type="automation_skipped").exists()


@pytest.mark.django_db
def test_invalid_rules_are_refused_with_german_reasons(musterstadt):
    with pytest.raises(RuleError) as error:
        rule(
            musterstadt,
            conditions=[
                {"field": "subject", "op": "regex", "value": "(kaputt"},
                {"field": "channel", "op": "equals", "value": "brieftaube"},
                {"field": "weekday", "op": "contains", "value": "mo"},
            ],
            actions=[
                {"type": "set_service", "value": "gibt-es-nicht"},
                {"type": "set_priority", "value": "9"},
            ],
        )
    text = " ".join(error.value.problems)
    assert "regulärer Ausdruck ist ungültig" in text.replace("Der reguläre", "regulärer")
    assert "brieftaube" in text and "passt nicht zum Feld" in text
    assert "gibt-es-nicht" in text and "Priorität" in text
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_every_change_is_a_new_version_with_a_revision(musterstadt):
    made = rule(
        musterstadt,
        conditions=[{"field": "subject", "op": "contains", "value": "a"}],
        actions=[{"type": "add_tag", "value": "a"}],
    )
    changed = save_rule(
        musterstadt,
        staff=None,
        rule=made,
        data={
            "name": "Regel",
            "conditions": made.conditions,
            "actions": [{"type": "add_tag", "value": "b"}],
        },
    )
    assert changed.version == 2
    snapshots = {r.version: r.snapshot for r in RuleRevision.objects.filter(rule=made)}
    assert snapshots[1]["actions"][0]["value"] == "a" and snapshots[2]["actions"][0]["value"] == "b"


@pytest.mark.django_db
def test_a_pathological_regex_times_out_instead_of_stalling_intake(musterstadt, submit_mail):
    rule(
        musterstadt,
        name="Teuer",
        conditions=[{"field": "text", "op": "regex", "value": "(x+x+)+y"}],
        actions=[{"type": "add_tag", "value": "nie"}],
    )
    result = submit_mail("musterstadt", "a@example.org", "x", "x" * 5000, service="allgemein")
    assert result.case.tags == []
