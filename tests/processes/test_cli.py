"""``buergerticket process export|import`` and ``buergerticket task list|complete``."""

from __future__ import annotations

import json
import zipfile

import pytest

from buergerticket.cli import main
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db

MIWG = SHARED / "bpmn-miwg"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def complete(capsys, task_id, user, data):
    return run(
        capsys, "task", "complete", task_id, "--org", "musterstadt", "--user", user, "--data", data
    )


def test_export_and_import_a_package(shipped, capsys, tmp_path):
    out = tmp_path / "paket.zip"
    code, stdout, _ = run(
        capsys, "process", "export", "--org", "musterstadt", "--service", "steuer-hund", str(out)
    )
    assert code == 0
    assert [m["key"] for m in json.loads(stdout)["models"]] == ["steuer-hund"]
    assert zipfile.ZipFile(out).namelist() == ["modelle/steuer-hund.bpmn", "prozessbibliothek.json"]
    code, stdout, _ = run(capsys, "process", "import", "--org", "stadtwerke", str(out))
    report = json.loads(stdout)
    assert code == 0 and report["ok"] is True
    assert report["imported"][0]["key"] == "steuer-hund"
    assert report["imported"][0]["service"] is None  # no such service at the utility


def test_import_a_single_bpmn_prints_the_report(musterstadt, capsys):
    code, stdout, _ = run(
        capsys, "process", "import", "--org", "musterstadt", str(MIWG / "C.9.1.bpmn")
    )
    report = json.loads(stdout)
    assert code == 0
    assert report["imported"][0]["status"] == "dokumentiert"
    problems = {(p["element_id"], p["element_type"]) for p in report["problems"]}
    assert ("ReceiveTask_WaitForDocument", "receiveTask") in problems


def test_import_exits_2_when_nothing_could_be_imported(musterstadt, capsys, tmp_path):
    broken = tmp_path / "kaputt.bpmn"
    broken.write_text("<definitions")
    code, stdout, _ = run(capsys, "process", "import", "--org", "musterstadt", str(broken))
    assert code == 2
    assert json.loads(stdout)["ok"] is False
    code, _, err = run(
        capsys, "process", "import", "--org", "musterstadt", str(tmp_path / "fehlt.zip")
    )
    assert code == 2 and "lässt sich nicht lesen" in err
    code, _, err = run(capsys, "process", "export", "--org", "nirgendwo", str(tmp_path / "x.zip"))
    assert code == 2 and "gibt es nicht" in err


def test_task_list_and_complete(shipped, open_case, capsys):
    case = open_case("steuer-hund")
    code, stdout, _ = run(
        capsys, "task", "list", "--org", "musterstadt", "--user", "r.schulz", "--json"
    )
    assert code == 0
    [task] = json.loads(stdout)
    assert {"id", "case", "name", "assignee", "due"} <= set(task)
    assert (task["case"], task["name"], task["assignee"]) == (
        case.file_number,
        "Bescheid entwerfen",
        "r.schulz",
    )
    code, _, err = complete(capsys, str(task["id"]), "r.schulz", "{}")
    assert code == 2 and "Tenor" in err
    code, stdout, _ = complete(
        capsys, str(task["id"]), "r.schulz", json.dumps({"tenor": "Steuer 96 € jährlich ab 1.1."})
    )
    assert code == 0 and json.loads(stdout)["state"] == "completed"
    code, stdout, _ = run(capsys, "task", "list", "--org", "musterstadt", "--json")
    [co] = [t for t in json.loads(stdout) if t["case"] == case.file_number]
    assert (co["name"], co["assignee"]) == ("Mitzeichnung", "e.koch")
    # The author may not co-sign.
    code, _, err = complete(capsys, str(co["id"]), "r.schulz", '{"approved": true}')
    assert code == 2 and "selbst verfasst" in err
    code, _, _ = complete(capsys, str(co["id"]), "e.koch", '{"approved": true}')
    assert code == 0
    code, stdout, _ = run(capsys, "task", "list", "--org", "musterstadt", "--json")
    [final] = [t for t in json.loads(stdout) if t["case"] == case.file_number]
    # A user without the role Schlusszeichnung is refused with a clear message.
    code, _, err = complete(capsys, str(final["id"]), "r.schulz", '{"approved": true}')
    assert code == 2 and "fehlt Ihnen die Rolle „Schlusszeichnung“" in err
    code, _, err = run(
        capsys, "task", "complete", "999999", "--org", "musterstadt", "--user", "e.koch"
    )
    assert code == 2 and "gibt es nicht" in err
    code, _, err = complete(capsys, str(final["id"]), "e.koch", "[1]")
    assert code == 2 and "JSON-Objekt" in err


def test_author_final_signature_refused_on_the_cli(shipped, open_case, capsys):
    case = open_case("steuer-hund")
    [task] = json.loads(run(capsys, "task", "list", "--org", "musterstadt", "--json")[1])
    complete(capsys, str(task["id"]), "e.koch", '{"tenor": "Steuer 96 €"}')
    [co] = json.loads(run(capsys, "task", "list", "--org", "musterstadt", "--json")[1])
    complete(capsys, str(co["id"]), "r.schulz", '{"approved": true}')
    [final] = json.loads(run(capsys, "task", "list", "--org", "musterstadt", "--json")[1])
    assert final["case"] == case.file_number
    code, _, err = complete(capsys, str(final["id"]), "e.koch", '{"approved": true}')
    assert code == 2
    assert "selbst verfasst" in err and "Vier-Augen-Prinzip" in err
