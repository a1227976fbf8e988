"""``ingest-mail`` commits mails in groups: the result must be what one mail at a
time would have given, and a line is printed only for what is committed."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor, verify_chain
from buergerticket.cases.models import Case, Message, Status
from buergerticket.cli import main
from buergerticket.intake import steps
from buergerticket.portal.models import TrackingLink
from tests.intake import mails

pytestmark = pytest.mark.django_db


def _ingest(tmp_path, capsys, raws: list[bytes], *extra: str) -> list[dict]:
    folder = tmp_path / "eingang"
    folder.mkdir()
    for index, raw in enumerate(raws):
        (folder / f"{index:03d}.eml").write_bytes(raw)
    assert main(["ingest-mail", "--org", "musterstadt", *extra, str(folder)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _intact(case: Case) -> None:
    case.refresh_from_db()
    assert verify_chain(case, case.events.order_by("seq")) is None


def test_a_request_and_its_replies_in_one_run_end_up_as_one_case(tmp_path, capsys, catalog):
    request = mails.message(message_id="<anfrage@example.org>", subject="Laterne dunkel")
    raws = [
        request,
        mails.message(
            sender="Erika <erika@example.org>", subject="Parkplatz", message_id="<e@example.org>"
        ),
        mails.message(subject="Nachtrag", in_reply_to="<anfrage@example.org>"),
        # The same mail delivered twice in the same run.
        request,
        mails.message(
            sender="Partner <partner@example.org>",
            subject="Auch von mir",
            references="<anfrage@example.org>",
        ),
    ]
    lines = _ingest(tmp_path, capsys, raws)
    assert [line["result"] for line in lines] == [
        "created",
        "created",
        "threaded",
        "ignored",
        "threaded",
    ]
    assert [line["source"][-7:] for line in lines] == [f"{i:03d}.eml" for i in range(5)]
    first = lines[0]["file_number"]
    assert [line["file_number"] for line in lines[2:]] == [first] * 3
    assert lines[3]["reason"] == "duplicate"
    case = Case.objects.get(file_number=first)
    assert Message.objects.filter(case=case).count() == 3
    _intact(case)


def test_two_mails_into_one_closed_case_reopen_it_once(tmp_path, capsys, emailed_case, staff):
    person = staff("s.wagner")
    person.email = "s.wagner@musterstadt.example"
    person.save()
    case = emailed_case()
    services.set_status(case, actor=Actor.for_staff(staff("m.yilmaz")), status=Status.CLOSED)
    lines = _ingest(
        tmp_path,
        capsys,
        [
            mails.message(subject=f"Re: [{case.file_number}] Laterne", body="Wieder kaputt."),
            # Another sender, the same case: decided only after the first is written.
            mails.message(
                subject=f"[{case.file_number}] Hinweis",
                sender="Sabine Wagner <s.wagner@musterstadt.example>",
            ),
        ],
    )
    assert [(line["result"], line["file_number"]) for line in lines] == [
        ("threaded", case.file_number)
    ] * 2
    assert case.events.filter(type="reopened").count() == 1
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    _intact(case)


def _link(case: Case, token: str, *, key: str = "", case_id: int = 0) -> steps.Steps[str]:
    """A minimal intake: writes one tracking link (for a case that may not exist)."""
    yield steps.claim(key or token)
    yield steps.WRITE
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portal_trackinglink "
            "(case_id, token_hash, purpose, created_at, revoked_by) "
            "VALUES (%s, %s, 'test', %s, '')",
            [case_id or case.pk, token, timezone.now()],
        )
    yield steps.COMMIT
    return token


@pytest.mark.django_db(transaction=True)
def test_a_group_that_cannot_commit_is_redone_mail_by_mail(musterstadt, emailed_case):
    """The database refuses the group only at COMMIT (a deferred foreign key): the
    good members are committed one by one and reported, the bad one fails alone."""
    case = emailed_case()
    reported: list[str] = []
    group: steps.GroupCommit[str] = steps.GroupCommit(10, reported.append)
    group.add(lambda: _link(case, "eins"))
    group.add(lambda: _link(case, "kaputt", case_id=case.pk + 1000))
    group.add(lambda: _link(case, "drei"))
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        group.flush()
    assert reported == ["eins", "drei"]
    stored = TrackingLink.objects.filter(purpose="test").values_list("token_hash", flat=True)
    assert set(stored) == {"eins", "drei"}


@pytest.mark.django_db(transaction=True)
def test_results_wait_for_the_commit_and_keep_their_order(musterstadt, emailed_case):
    case = emailed_case()
    reported: list[str] = []
    group: steps.GroupCommit[str] = steps.GroupCommit(3, reported.append)
    group.add(lambda: _link(case, "a"))
    group.add(lambda: _link(case, "b"))
    assert reported == [] and not TrackingLink.objects.filter(purpose="test").exists()
    # A key already claimed in the group: the group commits before this one goes on.
    group.add(lambda: _link(case, "a2", key="a"))
    assert reported == ["a", "b"]
    assert TrackingLink.objects.filter(purpose="test").count() == 2
    group.add(lambda: _link(case, "c"))
    group.add(lambda: _link(case, "d"))  # the third waiting one: the group is full
    assert reported == ["a", "b", "a2", "c", "d"]
