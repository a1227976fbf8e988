"""The billing export: import, idempotence, rejected rows, file errors, the CLI."""

from __future__ import annotations

import json

import pytest

from buergerticket.automation.contracts.csv_format import ExportFileError
from buergerticket.automation.contracts.importing import import_contract_data
from buergerticket.automation.models import Contract, ContractImport
from buergerticket.cli import main

from .conftest import CONTRACTS_CSV

HEADER = "vertragsnummer;name;email;strasse;plz;ort;sparte;abschlag_eur;rueckstand_eur;status\n"
ROW = (
    "40000001;Erika Muster;Erika@Example.org;Hauptstr. 1;12345;Musterstadt;Strom;72,50;0,00;aktiv\n"
)


def run(*argv: str) -> int:
    return main(list(argv))


@pytest.mark.django_db
def test_import_is_idempotent_and_reports_counts(stadtwerke, capsys):
    assert run("import-contracts", "--org", "stadtwerke", str(CONTRACTS_CSV)) == 0
    assert "2000 neu, 0 geändert" in capsys.readouterr().out
    assert run("import-contracts", "--org", "stadtwerke", str(CONTRACTS_CSV), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["neu"], report["geaendert"], report["unveraendert"]) == (0, 0, 2000)
    assert Contract.objects.filter(organisation=stadtwerke).count() == 2000
    assert ContractImport.objects.count() == 2


@pytest.mark.django_db
def test_contract_show_prints_the_installment_as_a_decimal_string(stadtwerke, capsys):
    import_contract_data(stadtwerke, (HEADER + ROW).encode(), file_name="x.csv")
    assert run("contract", "show", "40000001", "--org", "stadtwerke", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["abschlag_eur"] == "72.50"
    assert data["rueckstand_eur"] == "0.00"
    assert data["email"] == "erika@example.org"
    assert data["status"] == "aktiv"
    assert run("contract", "show", "49999999", "--org", "stadtwerke") == 2
    assert "gibt es in stadtwerke nicht" in capsys.readouterr().err


@pytest.mark.django_db
def test_changed_rows_are_updated_and_counted(stadtwerke):
    import_contract_data(stadtwerke, (HEADER + ROW).encode(), file_name="a.csv")
    changed = ROW.replace("72,50;0,00", "80,00;12,30")
    report = import_contract_data(stadtwerke, (HEADER + changed).encode(), file_name="b.csv")
    assert (report.added, report.changed, report.unchanged) == (0, 1, 0)
    contract = Contract.objects.get(number="40000001")
    assert str(contract.installment) == "80.00" and str(contract.arrears) == "12.30"


@pytest.mark.django_db
def test_bad_rows_are_rejected_whole_with_reasons(stadtwerke, capsys):
    import_contract_data(stadtwerke, (HEADER + ROW).encode(), file_name="a.csv")
    rows = [
        ROW.replace("72,50", "99,99"),  # valid change
        "4000002;Kurz;k@example.org;W 1;12345;M;Gas;10,00;0,00;aktiv\n",
        "40000003;Punkt;p@example.org;W 1;12345;M;Gas;10.50;0,00;aktiv\n",
        "40000004;;x@example;W 1;12345;M;Gas;10,00;0,00;\n",
        "40000005;Zu;wenig;Spalten\n",
        "40000006;Doppelt;d@example.org;W 1;12345;M;Gas;10,00;0,00;aktiv\n",
        "40000006;Doppelt;d@example.org;W 1;12345;M;Gas;11,00;0,00;aktiv\n",
        "40000007;Müller;jürgen.müller@example.org;W 1;12345;M;Wasser;20,00;-5,00;aktiv\n",
    ]
    data = (HEADER + "".join(rows)).encode()
    report = import_contract_data(stadtwerke, data, file_name="b.csv")
    reasons = {r["zeile"]: " ".join(r["gruende"]) for r in report.rejected}
    assert "nicht genau 8 Ziffern" in reasons[3]
    assert "Dezimalkomma" in reasons[4]
    assert "Name fehlt" in reasons[5] and "ungültig" in reasons[5] and "Status" in reasons[5]
    assert "zu wenige Spalten" in reasons[6]
    assert "mehrfach" in reasons[7] and "mehrfach" in reasons[8]
    assert report.added == 1 and report.changed == 1
    # Rejected rows wrote nothing; the valid ones are complete.
    assert not Contract.objects.filter(number__in=["40000003", "40000004", "40000006"]).exists()
    assert str(Contract.objects.get(number="40000001").installment) == "99.99"
    assert str(Contract.objects.get(number="40000007").arrears) == "-5.00"


@pytest.mark.django_db
def test_a_contract_missing_from_a_full_export_stops_counting_as_active(stadtwerke):
    other = ROW.replace("40000001", "40000002")
    import_contract_data(stadtwerke, (HEADER + ROW + other).encode(), file_name="a.csv")
    report = import_contract_data(stadtwerke, (HEADER + ROW).encode(), file_name="b.csv")
    assert report.missing == 1
    assert Contract.objects.get(number="40000002").in_export is False
    # A delta export leaves contracts it does not mention alone.
    import_contract_data(stadtwerke, (HEADER + other).encode(), file_name="c.csv", full=False)
    assert Contract.objects.get(number="40000002").in_export is True
    assert Contract.objects.get(number="40000001").in_export is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leer"),
        (b"vertragsnummer,name,email\n1,2,3\n", "Trennzeichen"),
        ((HEADER + ROW.replace("Erika", "Jürgen")).encode("latin-1"), "UTF-8"),
        (HEADER.encode(), "keine gültige Vertragszeile"),
    ],
)
def test_an_unusable_file_imports_nothing(stadtwerke, data, message):
    with pytest.raises(ExportFileError, match=message):
        import_contract_data(stadtwerke, data, file_name="x.csv")
    assert not Contract.objects.exists()
    assert not ContractImport.objects.exists()


@pytest.mark.django_db
def test_cli_rejects_an_unusable_file_with_status_2(stadtwerke, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("nur;quatsch\n1;2\n", encoding="utf-8")
    assert run("import-contracts", "--org", "stadtwerke", str(path)) == 2
    assert "Spalten fehlen" in capsys.readouterr().err
    assert run("import-contracts", "--org", "stadtwerke", str(tmp_path / "fehlt.csv")) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROW + "4000;x\n", encoding="utf-8")
    assert run("import-contracts", "--org", "stadtwerke", str(bad)) == 1
    captured = capsys.readouterr()
    assert "1 neu" in captured.out and "Zeile 3" in captured.err


@pytest.mark.django_db
def test_demo_contracts_import_cleanly_and_repeatedly(stadtwerke):
    from buergerticket.automation.demo import prepare_demo

    prepare_demo()
    prepare_demo()
    imports = list(ContractImport.objects.order_by("started_at"))
    assert [(i.added, i.rejected) for i in imports] == [(500, 0), (0, 0)]
