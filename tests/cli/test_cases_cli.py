"""`buergerticket case|staff|load-catalog`: JSON for scripts; bad input exits 2, writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from buergerticket.cases.models import Case
from buergerticket.cli import main
from buergerticket.org.models import Absence
from tests.conftest import MUSTERSTADT

OPEN = [
    "case",
    "open",
    "--org",
    "musterstadt",
    "--service",
    "maengel-strasse",
    "--channel",
    "phone",
    "--subject",
    "Schlagloch Lindenallee",
    "--text",
    "Tiefes Loch vor Nr. 4",
    "--requester-name",
    "Max Muster",
    "--requester-email",
    "max@example.org",
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_case_open_prints_the_new_case_as_json(capsys, catalog):
    code, out, _ = run(capsys, *OPEN)
    assert code == 0
    data = json.loads(out)
    assert data["file_number"].startswith("66.10.01-")
    assert {
        k: data[k] for k in ("organisation", "service", "channel", "status", "owner", "department")
    } == {
        "organisation": "musterstadt",
        "service": "maengel-strasse",
        "channel": "phone",
        "status": "neu",
        "owner": "s.wagner",
        "department": "TBA",
    }
    assert len(data["deadline"]) == 10 and data["created_at"]
    assert [e["type"] for e in data["events"]] == ["intake", "assigned"]
    assert set(data["events"][0]) >= {"type", "actor", "at", "details"}


@pytest.mark.django_db
def test_case_show_and_list(capsys, catalog):
    _, out, _ = run(capsys, *OPEN)
    number = json.loads(out)["file_number"]
    code, out, _ = run(capsys, "case", "show", number, "--org", "musterstadt", "--json")
    assert code == 0 and json.loads(out)["file_number"] == number
    code, out, _ = run(
        capsys,
        "case",
        "list",
        "--org",
        "musterstadt",
        "--status",
        "neu",
        "--owner",
        "s.wagner",
        "--json",
    )
    assert code == 0 and [c["file_number"] for c in json.loads(out)] == [number]
    code, out, _ = run(capsys, "case", "list", "--org", "stadtwerke", "--json")
    assert json.loads(out) == []  # the other tenant sees nothing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad, message",
    [
        (["--org", "nirgendwo"], "Organisation „nirgendwo“ gibt es nicht"),
        (["--service", "gibtsnicht"], "Leistung „gibtsnicht“"),
        (["--channel", "fax"], "Unbekannter Kanal „fax“"),
        (["--requester-email", "kein-mail"], "keine gültige E-Mail-Adresse"),
        (["--subject", " "], "Betreff ist erforderlich"),
    ],
)
def test_wrong_input_exits_2_with_a_message_and_writes_nothing(capsys, catalog, bad, message):
    args = list(OPEN)
    args[args.index(bad[0]) + 1] = bad[1]
    code, out, err = run(capsys, *args)
    assert code == 2 and message in err and out == ""
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_staff_absent_reroutes_and_rejects_bad_dates(capsys, catalog):
    code, out, _ = run(
        capsys,
        "staff",
        "absent",
        "s.wagner",
        "--org",
        "musterstadt",
        "--from",
        "2030-07-01",
        "--to",
        "2030-07-14",
    )
    assert code == 0 and json.loads(out)["deputy"] == "t.nguyen"
    code, _, err = run(
        capsys,
        "staff",
        "absent",
        "s.wagner",
        "--org",
        "musterstadt",
        "--from",
        "2030-07-01",
        "--to",
        "14.07.2030",
    )
    assert code == 2 and "JJJJ-MM-TT" in err
    code, _, err = run(
        capsys,
        "staff",
        "absent",
        "niemand",
        "--org",
        "musterstadt",
        "--from",
        "2030-07-01",
        "--to",
        "2030-07-02",
    )
    assert code == 2 and "„niemand“" in err
    assert Absence.objects.count() == 1


@pytest.mark.django_db
def test_load_catalog_reports_errors_with_status_2(capsys, tmp_path):
    bad = tmp_path / "kaputt.yaml"
    bad.write_text("organisations:\n  - slug: x\n")
    code, _, err = run(capsys, "load-catalog", str(bad))
    assert code == 2 and "kaputt.yaml:2" in err and "Pflichtfeld „name“ fehlt" in err
    code, out, _ = run(capsys, "load-catalog", str(MUSTERSTADT / "katalog.yaml"))
    assert code == 0 and "neu" in out
    code, out, _ = run(capsys, "load-catalog", str(MUSTERSTADT / "katalog.yaml"))
    assert code == 0 and "keine Änderungen" in out


def test_production_mode_refuses_unsafe_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUERGERTICKET_")}
    env |= {
        "BUERGERTICKET_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "buergerticket.settings",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "buergerticket", "case", "list", "--org", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "BUERGERTICKET_SECRET_KEY" in result.stderr
    assert "BUERGERTICKET_ALLOWED_HOSTS" in result.stderr
