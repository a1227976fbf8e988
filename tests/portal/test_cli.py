"""``buergerticket portal …`` commands."""

from __future__ import annotations

import pytest

from buergerticket.cli import main
from buergerticket.portal import clamd, tracking
from tests.portal.clamd_server import FakeClamd
from tests.portal.conftest import EICAR


def test_eicar_constant_is_the_standard_string():
    assert clamd.EICAR_TEST == EICAR


@pytest.mark.django_db
def test_check_reports_clamd(settings, tmp_path, capsys):
    settings.CLAMD = ""
    assert main(["portal", "check"]) == 0
    assert "nicht eingerichtet" in capsys.readouterr().out
    with FakeClamd(tmp_path / "c.sock") as server:
        settings.CLAMD = server.address
        assert main(["portal", "check"]) == 0
        assert "bereit (Win.Test.EICAR_HDB-1 erkannt)" in capsys.readouterr().out
    settings.CLAMD = str(tmp_path / "gone.sock")
    assert main(["portal", "check"]) == 1
    assert "NICHT erreichbar" in capsys.readouterr().out


@pytest.mark.django_db
def test_revoke_links(portal_catalog, open_case, capsys):
    case = open_case("maengel-strasse")  # its receipt mail already carries one link
    token = tracking.new_token()
    tracking.store(case, token, "receipt")
    assert main(["portal", "revoke-links", "musterstadt", case.file_number]) == 0
    assert tracking.find(token) is None
    assert "2 private Link(s)" in capsys.readouterr().out
    assert main(["portal", "revoke-links", "musterstadt", "gibt-es-nicht"]) == 2
