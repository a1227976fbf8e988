"""Sign-off for legal acts: who may sign, four-eyes, hashes, voiding, release."""

from __future__ import annotations

import hashlib

import pytest

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.processes.models import Decision, Signature

pytestmark = pytest.mark.django_db

TENOR = "Für den Hund „Bello“ wird ab 1. Januar eine Hundesteuer von 96,00 € jährlich festgesetzt."


@pytest.fixture
def hund_case(shipped, open_case, tasks_of, complete):
    """A steuer-hund case whose draft r.schulz has written; next is the co-signature."""
    case = open_case(
        "steuer-hund",
        subject="Hund anmelden",
        requester=case_services.Requester(
            name="Yasemin Yıldız", email="y@example.org", address="Lindenallee 4, 12345 Musterstadt"
        ),
    )
    [draft] = tasks_of(case)
    complete(draft, "r.schulz", tenor=TENOR, begruendung="Anmeldung vom Antrag.")
    return case


def _signer(staff, username, *roles):
    person = staff(username)
    person.roles = sorted(set(person.roles) | set(roles))
    person.save(update_fields=["roles"])
    return person


def test_decision_pdf_is_generated_from_the_case_with_its_hash(hund_case):
    decision = Decision.objects.get(case=hund_case)
    content = decision.file.read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == decision.sha256
    event = hund_case.events.get(type="decision_drafted")
    assert event.details["sha256"] == decision.sha256
    assert decision.author.username == "r.schulz"
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert hund_case.file_number in text
    assert "Yasemin Yıldız" in text
    assert "96,00 €" in text
    assert "Rechtsbehelfsbelehrung" in text


def test_each_signature_is_an_event_with_who_when_and_hash(hund_case, tasks_of, complete):
    decision = Decision.objects.get(case=hund_case)
    [co] = tasks_of(hund_case)
    assert (co.kind, co.assignee.username) == ("co_signature", "e.koch")  # not the author
    complete(co, "e.koch", approved=True)
    [final] = tasks_of(hund_case)
    assert (final.kind, final.role, final.assignee.username) == (
        "final_signature",
        "schlusszeichnung",
        "e.koch",
    )
    complete(final, "e.koch", approved=True)
    for kind in ("co_signature", "final_signature"):
        event = hund_case.events.get(type=kind)
        assert event.actor.username == "e.koch"
        assert event.at is not None
        assert event.details["sha256"] == decision.sha256
        signature = Signature.objects.get(decision=decision, kind=kind)
        assert signature.event_seq == event.seq and signature.valid
    case = Case.objects.get(pk=hund_case.pk)
    assert case.status == "abgeschlossen" and case.decided_at is not None
    # The decision left as a published attachment whose bytes are the signed ones.
    sent = case.documents.get()
    assert sent.published and sent.sha256 == decision.sha256
    assert case.events.get(type="decision_sent").details["document"] == sent.pk


def test_author_cannot_give_the_final_signature(shipped, open_case, tasks_of, complete, staff):
    """e.koch (who holds the role) drafts; her own final signature is refused (four-eyes)."""
    case = open_case("steuer-hund")
    [draft] = tasks_of(case)
    complete(draft, "e.koch", tenor=TENOR)
    [co] = tasks_of(case)
    assert co.assignee.username == "r.schulz"  # the author is never picked to co-sign
    complete(co, "r.schulz", approved=True)
    [final] = tasks_of(case)
    # Nobody but the author holds the role: the task must say so instead of pretending.
    assert final.assignment_note
    with pytest.raises(case_services.CasePermissionDenied, match="selbst verfasst"):
        complete(final, "e.koch", approved=True)
    assert not Signature.objects.filter(kind="final_signature").exists()
    with pytest.raises(case_services.CasePermissionDenied, match="Schlusszeichnung"):
        complete(final, "r.schulz", approved=True)
    _signer(staff, "k.hoffmann")  # wrong organisation unit but no role: still refused
    with pytest.raises(case_services.CasePermissionDenied, match="Rolle „Schlusszeichnung“"):
        complete(final, "k.hoffmann", approved=True)
    _signer(staff, "a.becker", "schlusszeichnung")
    complete(final, "a.becker", approved=True)
    assert Case.objects.get(pk=case.pk).status == "abgeschlossen"


def test_author_cannot_co_sign(hund_case, tasks_of, complete):
    [co] = tasks_of(hund_case)
    with pytest.raises(case_services.CasePermissionDenied, match="selbst verfasst"):
        complete(co, "r.schulz", approved=True)


def test_user_without_role_is_rejected(hund_case, tasks_of, complete):
    [co] = tasks_of(hund_case)
    complete(co, "e.koch", approved=True)
    [final] = tasks_of(hund_case)
    with pytest.raises(case_services.CasePermissionDenied, match="fehlt Ihnen die Rolle"):
        complete(final, "r.schulz", approved=True)


def test_changing_the_document_voids_signatures_and_signing_starts_again(
    hund_case, tasks_of, complete, staff
):
    from buergerticket.processes.services.decision_edit import change_decision

    [co] = tasks_of(hund_case)
    complete(co, "e.koch", approved=True)
    first = Decision.objects.get(case=hund_case)
    [final] = tasks_of(hund_case)
    assert final.kind == "final_signature"
    change_decision(hund_case.pk, staff=staff("r.schulz"), tenor=TENOR + " Geändert.", reasoning="")
    first.refresh_from_db()
    second = Decision.objects.get(case=hund_case, superseded_at__isnull=True)
    assert second.number == 2 and second.sha256 != first.sha256
    old = Signature.objects.get(decision=first)
    assert old.voided_at is not None and not old.valid
    voided = hund_case.events.get(type="signatures_voided")
    assert voided.details["sha256"] == first.sha256
    # The process went back to the co-signature; the open final signature lapsed.
    [again] = tasks_of(hund_case)
    assert again.kind == "co_signature"
    final.refresh_from_db()
    assert final.state == "cancelled"
    complete(again, "e.koch", approved=True)
    [final2] = tasks_of(hund_case)
    complete(final2, "e.koch", approved=True)
    sent = Case.objects.get(pk=hund_case.pk).documents.get()
    assert sent.sha256 == second.sha256


def test_refused_signature_returns_to_the_author(hund_case, tasks_of, complete):
    [co] = tasks_of(hund_case)
    with pytest.raises(case_services.CaseError, match="begründen"):
        complete(co, "e.koch", approved=False)
    complete(co, "e.koch", approved=False, anmerkung="Beginn falsch.")
    [draft] = tasks_of(hund_case)
    assert draft.kind == "draft" and draft.assignee.username == "r.schulz"
    event = hund_case.events.get(type="signature_refused")
    assert event.reason == "Beginn falsch."


def test_legal_act_cannot_be_decided_before_final_signature(hund_case, staff, tasks_of, complete):
    clerk = Actor.for_staff(staff("r.schulz"))
    with pytest.raises(case_services.CaseError, match="schlussgezeichnet"):
        case_services.set_status(hund_case.pk, actor=clerk, status="entschieden")
    [co] = tasks_of(hund_case)
    complete(co, "e.koch", approved=True)
    with pytest.raises(case_services.CaseError, match="schlussgezeichnet"):
        case_services.set_status(hund_case.pk, actor=clerk, status="entschieden")
    # Closing without a decision (e.g. the application was withdrawn) stays possible.
    case_services.set_status(
        hund_case.pk, actor=clerk, status="abgeschlossen", reason="Antrag zurückgenommen"
    )


def test_sending_refuses_an_unsigned_decision(hund_case, staff):
    from buergerticket.processes.handlers import HandlerError
    from buergerticket.processes.services.signoff import send

    with pytest.raises(HandlerError, match="nicht schlussgezeichnet"):
        send(hund_case.pk, actor=Actor.automation("Test"))
    assert not Case.objects.get(pk=hund_case.pk).documents.exists()


def test_four_eyes_configured_on_a_non_legal_act_model(
    shipped, open_case, tasks_of, complete, staff
):
    """Four-eyes is a version setting for other services (always on for legal acts)."""
    from buergerticket.processes.models import ProcessVersion
    from buergerticket.processes.services import register

    version = (
        ProcessVersion.objects.get(
            model__key="standard-verwaltungsakt", model__organisation__slug="musterstadt"
        )
        if ProcessVersion.objects.filter(model__key="standard-verwaltungsakt").exists()
        else None
    )
    org = staff("a.becker").organisation
    version = version or register.install_builtin(org, "standard-verwaltungsakt")
    # Use the legal-act flow for a service that is no legal act, four-eyes off.
    version = register.set_version_kind(version, "soll", four_eyes=False)
    case = open_case("bau-anfrage")
    from buergerticket.processes.services import lifecycle

    lifecycle.cancel(case, "Test")
    lifecycle.start(case, version, in_case_write=False)
    [draft] = tasks_of(case)
    complete(draft, "p.weber", tenor="Auskunft: kein Bauantrag nötig.")
    [final] = tasks_of(case)
    _signer(staff, "p.weber", "schlusszeichnung")
    complete(final, "p.weber", approved=True)  # allowed: no four-eyes here
    version = register.set_version_kind(version, "soll", four_eyes=True)
    case2 = open_case("bau-anfrage")
    lifecycle.cancel(case2, "Test")
    lifecycle.start(case2, version, in_case_write=False)
    [draft] = tasks_of(case2)
    complete(draft, "p.weber", tenor="Auskunft: kein Bauantrag nötig.")
    [final] = tasks_of(case2)
    with pytest.raises(case_services.CasePermissionDenied, match="Vier-Augen-Prinzip"):
        complete(final, "p.weber", approved=True)


def test_decision_files_go_with_their_case(hund_case):
    from django.core.files.storage import default_storage

    decision = Decision.objects.get(case=hund_case)
    name = decision.file.name
    assert default_storage.exists(name)
    Case.objects.filter(pk=hund_case.pk).delete()  # e.g. disposal after retention
    assert not Decision.objects.exists()
    assert not default_storage.exists(name)
