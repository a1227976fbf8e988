"""Permission matrix over every workspace view: department scope, roles, tenant isolation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buergerticket.org.models import User

# TBA case; s.wagner owns it, t.nguyen leads TBA.
PEOPLE = {
    "owner": "s.wagner",
    "lead": "t.nguyen",
    "other_department": "l.fischer",
    "admin_only": "admin",
    "other_organisation": "b.wolf",
}


def client_for(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "citizen":
        user = User.objects.create_user("buerger@example.org", password="x" * 12)
    else:
        user = User.objects.get(username=PEOPLE[role])
    client.force_login(user)
    return client


CASE_VIEWS = ["case_detail"]
CASE_ACTIONS = {
    "case_note": {"text": "Vermerk"},
    "case_reply": {"body": "Antwort"},
    "case_priority": {"priority": "3"},
    "case_follow_up": {"follow_up": ""},
}
EXPECTED_CASE_ACCESS = {
    "owner": True,
    "lead": True,
    "other_department": False,
    "admin_only": False,
    "other_organisation": False,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*PEOPLE, "citizen", "anonymous"])
def test_case_page_and_actions(role, open_case):
    case = open_case()
    client = client_for(role)
    allowed = EXPECTED_CASE_ACCESS.get(role, False)
    response = client.get(reverse("workspace:case_detail", args=[case.pk]))
    if role == "anonymous":
        assert response.status_code == 302 and "/arbeitsplatz/anmelden/" in response["Location"]
        return
    expected = (
        200 if allowed else (404 if role in EXPECTED_CASE_ACCESS and role != "admin_only" else 403)
    )
    assert response.status_code == expected, role
    for name, data in CASE_ACTIONS.items():
        response = client.post(
            reverse(f"workspace:{name}", args=[case.pk]), {**data, "version": case.version}
        )
        if allowed:
            assert response.status_code == 302, (name, response.content[:300])
            case.refresh_from_db()
        else:
            assert response.status_code in (403, 404), (role, name)
    if not allowed:
        assert case.events.count() == 2  # nothing happened


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, my_cases, queue, escalations, phone_note, absences",
    [
        ("owner", 200, 200, 403, 200, 200),
        ("lead", 200, 200, 200, 200, 200),
        ("admin_only", 403, 403, 403, 200, 200),
        ("other_organisation", 200, 200, 403, 200, 200),
        ("citizen", 403, 403, 403, 403, 403),
        ("anonymous", 302, 302, 302, 302, 302),
    ],
)
def test_list_pages(role, my_cases, queue, escalations, phone_note, absences, catalog):
    client = client_for(role)
    for name, expected in [
        ("my_cases", my_cases),
        ("queue", queue),
        ("escalations", escalations),
        ("phone_note", phone_note),
        ("absences", absences),
    ]:
        assert client.get(reverse(f"workspace:{name}")).status_code == expected, (role, name)


@pytest.mark.django_db
def test_queues_show_only_the_own_department_of_the_own_organisation(open_case):
    tba = open_case("maengel-strasse", subject="Straße TBA")
    ord_case = open_case("ordnung-parken", subject="Parken ORD")
    utility = open_case("sw-rechnung", subject="Rechnung SW")
    page = client_for("owner").get(reverse("workspace:queue")).content.decode()
    assert tba.file_number in page
    assert ord_case.file_number not in page and utility.file_number not in page
    assert (
        client_for("owner").get(reverse("workspace:queue_department", args=["ORD"])).status_code
        == 404
    )
    page = client_for("other_organisation").get(reverse("workspace:queue")).content.decode()
    assert utility.file_number in page and tba.file_number not in page


@pytest.mark.django_db
def test_document_download_is_scoped(open_case):
    from buergerticket.cases.services import NewDocument

    case = open_case(attachments=[NewDocument("foto.jpg", b"\xff\xd8\xffdata", "image/jpeg")])
    document = case.documents.get()
    url = reverse("workspace:document_download", args=[case.pk, document.pk])
    assert client_for("owner").get(url).status_code == 200
    assert client_for("other_department").get(url).status_code == 404
    assert client_for("other_organisation").get(url).status_code == 404


@pytest.mark.django_db
def test_absences_only_for_people_one_may_manage(catalog):
    from buergerticket.org.models import Staff

    fischer = Staff.objects.get(user__username="l.fischer")
    response = client_for("owner").post(
        reverse("workspace:absences"),
        {"staff": fischer.pk, "start": "2030-01-02", "end": "2030-01-03"},
    )
    assert response.status_code == 400  # not a choice for a clerk of another department
    assert not fischer.absences.exists()
    response = client_for("admin_only").post(
        reverse("workspace:absences"),
        {"staff": fischer.pk, "start": "2030-01-02", "end": "2030-01-03"},
    )
    assert response.status_code == 302 and fischer.absences.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, target",
    [("owner", "/arbeitsplatz/vorgaenge/"), ("admin_only", "/arbeitsplatz/verwaltung/")],
)
def test_login_lands_where_the_person_can_work(role, target, catalog):
    response = client_for(role).get(reverse("workspace:home"))
    assert response.status_code == 302 and response["Location"] == target
