"""Working a case in the workspace: actions, htmx partials, conflicts, input kept on errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buergerticket.cases.models import Case, Status
from buergerticket.org.models import User


@pytest.fixture
def wagner(catalog) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="s.wagner"))
    return client


@pytest.mark.django_db
def test_case_page_shows_facts_timeline_and_never_leaks_notes(wagner, open_case):
    case = open_case()
    page = wagner.get(reverse("workspace:case_detail", args=[case.pk])).content.decode()
    assert case.file_number in page and "Vor Hausnummer 12" in page
    assert "Zuständig: s.wagner" in page and "erika@example.org" in page


@pytest.mark.django_db
def test_reply_note_and_status_through_htmx(wagner, open_case):
    case = open_case()
    url = reverse("workspace:case_note", args=[case.pk])
    response = wagner.post(url, {"text": "Bauhof beauftragt", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-main">')  # only the case area is swapped
    assert "Bauhof beauftragt" in html and "Vermerk gespeichert." in html
    response = wagner.post(
        reverse("workspace:case_status", args=[case.pk]),
        {"status": "wartet", "reason": "Foto fehlt", "version": 2},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.WAITING


@pytest.mark.django_db
def test_concurrent_edit_is_refused_and_input_kept(wagner, open_case):
    case = open_case()
    wagner.post(reverse("workspace:case_note", args=[case.pk]), {"text": "erster", "version": 1})
    response = wagner.post(
        reverse("workspace:case_reply", args=[case.pk]),
        {"body": "Meine lange Antwort", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "inzwischen geändert" in html and "Meine lange Antwort" in html
    assert not case.messages.filter(kind="outgoing").exists()


@pytest.mark.django_db
def test_invalid_form_shows_german_error_next_to_the_field(wagner, open_case):
    case = open_case()
    response = wagner.post(
        reverse("workspace:case_deadline", args=[case.pk]),
        {"deadline": "31.02.2026", "reason": "Frost", "version": 1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "kern-form-input--error" in html and "Frost" in html
    assert "Gültiges Datum" in html or "gültiges Datum" in html


@pytest.mark.django_db
def test_phone_note_opens_a_case_and_keeps_input_on_errors(wagner, catalog):
    from buergerticket.catalog.models import Service

    url = reverse("workspace:phone_note")
    service = Service.objects.get(code="maengel-strasse")
    response = wagner.post(
        url,
        {
            "service": service.pk,
            "channel": "phone",
            "subject": "",
            "text": "Anrufer meldet Loch",
            "requester_name": "Frau Kaya",
            "priority": 2,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Frau Kaya" in html and "Anrufer meldet Loch" in html
    assert "Dieses Feld ist zwingend erforderlich." in html
    response = wagner.post(
        url,
        {
            "service": service.pk,
            "channel": "phone",
            "subject": "Loch in der Fahrbahn",
            "text": "Anrufer meldet Loch",
            "requester_name": "Frau Kaya",
            "requester_phone": "0171 1234567",
            "priority": 3,
        },
    )
    case = Case.objects.get(subject="Loch in der Fahrbahn")
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.pk}/")
    assert (case.channel, case.priority, case.requester_phone) == ("phone", 3, "0171 1234567")
    assert case.events.first().actor.username == "s.wagner"


@pytest.mark.django_db
def test_closed_case_is_read_only_and_can_be_reopened(wagner, open_case):
    case = open_case()
    wagner.post(
        reverse("workspace:case_status", args=[case.pk]), {"status": "abgeschlossen", "version": 1}
    )
    page = wagner.get(reverse("workspace:case_detail", args=[case.pk])).content.decode()
    assert "schreibgeschützt" in page and "Antwort senden" not in page
    wagner.post(
        reverse("workspace:case_reopen", args=[case.pk]),
        {"reason": "Anruf: Loch wieder offen", "version": 2},
    )
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_login_is_rate_limited(catalog, settings):
    user = User.objects.get(username="s.wagner")
    user.set_password("richtig-und-lang")
    user.save()
    client = Client()
    url = reverse("workspace:login")
    for _ in range(settings.LOGIN_RATE_LIMIT):
        assert client.post(url, {"username": "s.wagner", "password": "falsch"}).status_code == 200
    blocked = client.post(url, {"username": "s.wagner", "password": "richtig-und-lang"})
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.content.decode()


@pytest.mark.django_db
def test_english_is_selectable(wagner, open_case):
    case = open_case()
    wagner.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = wagner.get(reverse("workspace:case_detail", args=[case.pk])).content.decode()
    assert 'lang="en"' in page and "History" in page and "Send reply" in page
    assert "Verlauf" not in page
