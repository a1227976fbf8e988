"""Portal throughput: form submissions over HTTP against ``buergerticket serve``.

Embedded default (SQLite in WAL mode, gunicorn), Musterstadt demo catalog, a bounded
local load: ``--clients`` concurrent keep-alive connections send ``--submissions``
defect reports in total (each as a new visitor: no session cookie, so every
submission also creates its session for the receipt page), then the catalog page is
fetched sequentially. Prints submissions/s, latency percentiles and the catalog
median, and checks that every 302 (receipt) corresponds to a committed case.

    python bench/portal_submit.py [--clients 8] [--submissions 2000]

Targets (issue 3): >= 100 submissions/s with p95 <= 200 ms; catalog <= 30 ms median.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM = "/musterstadt/leistungen/maengel-strasse/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        BUERGERTICKET_MODE="development",
        BUERGERTICKET_HOME=str(home),
        PYTHONPATH=str(ROOT / "src"),
        # The load comes from one address; the per-address limit would stop it by design.
        BUERGERTICKET_PORTAL_SUBMIT_LIMIT="100000000",
        BUERGERTICKET_LOG_LEVEL="WARNING",
    )
    return env


def _prepare(home: Path) -> None:
    env = _env(home)
    run = [sys.executable, "-m", "buergerticket"]
    subprocess.run([*run, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    catalog = ROOT / "src" / "buergerticket" / "demo" / "musterstadt.yaml"
    subprocess.run(
        [*run, "load-catalog", str(catalog)], env=env, check=True, stdout=subprocess.DEVNULL
    )


class Client:
    """One keep-alive connection with the CSRF cookie a browser would hold."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, headers, body = self.request("GET", FORM)
        assert status == 200, status
        cookie = next(
            v for k, v in headers if k.lower() == "set-cookie" and v.startswith("csrftoken=")
        )
        self.csrf_cookie = cookie.split(";", 1)[0]
        self.token = (
            re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data

    def submit(self, n: int) -> int:
        fields = {
            "csrfmiddlewaretoken": self.token,
            "schadensart": "schlagloch",
            "text": f"Schlagloch Nummer {n}, etwa zehn Zentimeter tief.",
            "location_address": f"Hauptstraße {n % 200 + 1}",
            "name": "Erika Mustermann",
            "email": f"erika{n}@example.org",
            "privacy": "on",
        }
        status, _, _ = self.request(
            "POST",
            FORM,
            body=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.csrf_cookie,
                "Referer": f"http://127.0.0.1:{self.port}{FORM}",
            },
        )
        return status


def _group_cpu_seconds(pgid: int) -> float:
    """User+system CPU of every process in the server's process group (Linux /proc).

    Lets the figures be read independently of what else runs on the machine: the
    capacity of two idle cores is 2 / (CPU seconds per submission).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state ppid pgrp ... utime(12) stime(13) (0-based here).
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(clients: int, submissions: int, workers: int, limit_seconds: float) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="bt-bench-portal-"))
    _prepare(home)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "buergerticket",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Client(port)
                break
            except (OSError, AssertionError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise SystemExit("Server startet nicht.") from None
                time.sleep(0.2)
        pool = [Client(port) for _ in range(clients)]
        for client in pool:  # warm up every worker thread and connection
            client.submit(0)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        counter = iter(range(1, submissions + 1))
        stop_at = time.monotonic() + limit_seconds

        def work(client: Client) -> None:
            while time.monotonic() < stop_at:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                status = client.submit(n)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

        threads = [threading.Thread(target=work, args=(c,)) for c in pool]
        load_before = os.getloadavg()[0]
        cpu_before = _group_cpu_seconds(server.pid)
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        server_cpu = _group_cpu_seconds(server.pid) - cpu_before

        catalog = Client(port)
        for _ in range(20):
            catalog.request("GET", "/musterstadt/")
        catalog_times = []
        for _ in range(300):
            started = time.perf_counter()
            status, _, _ = catalog.request("GET", "/musterstadt/")
            catalog_times.append(time.perf_counter() - started)
            assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    with sqlite3.connect(home / "buergerticket.sqlite3") as db:
        cases = db.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0]
        receipts = db.execute("SELECT COUNT(*) FROM notify_outboxitem").fetchone()[0]
    ok = statuses.get(302, 0)
    return {
        "submissions": len(latencies),
        "ok": ok,
        "other_status": sum(v for k, v in statuses.items() if k != 302),
        "committed_cases": cases - clients,  # minus the warm-up submissions
        "receipt_mails_queued": receipts - clients,
        "seconds": wall,
        "per_second": ok / wall,
        "p50_ms": _percentile(latencies, 50) * 1000,
        "p95_ms": _percentile(latencies, 95) * 1000,
        "p99_ms": _percentile(latencies, 99) * 1000,
        "catalog_median_ms": statistics.median(catalog_times) * 1000,
        "catalog_p95_ms": _percentile(catalog_times, 95) * 1000,
        "server_cpu_ms_per_submission": server_cpu / max(len(latencies), 1) * 1000,
        "load_before": load_before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--seconds", type=float, default=60, help="upper bound of the load")
    args = parser.parse_args()
    from common import machine

    print(f"Maschine: {machine()}")
    r = run(args.clients, args.submissions, args.workers, args.seconds)
    print(
        f"Einreichungen: {r['ok']}/{r['submissions']} mit Eingangsbestätigung (302), "
        f"andere Antworten: {r['other_status']}"
    )
    print(
        f"Vorgänge festgeschrieben: {r['committed_cases']}, "
        f"Eingangsbestätigungen im Postausgang: {r['receipt_mails_queued']}"
    )
    print(
        f"Durchsatz: {r['per_second']:.1f} Einreichungen/s über {r['seconds']:.1f} s "
        f"({args.clients} Verbindungen, {args.workers} gunicorn-Prozesse)"
    )
    print(
        f"Antwortzeit Einreichung: p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
        f"p99 {r['p99_ms']:.1f} ms"
    )
    cpu = r["server_cpu_ms_per_submission"]
    print(
        f"Server-CPU je Einreichung: {cpu:.1f} ms → Kapazität zweier freier Kerne "
        f"≈ {2000 / cpu:.0f} Einreichungen/s (Last vor dem Lauf: {r['load_before']:.1f})"
    )
    print(f"Katalogseite: Median {r['catalog_median_ms']:.1f} ms, p95 {r['catalog_p95_ms']:.1f} ms")
    target = r["per_second"] >= 100 and r["p95_ms"] <= 200 and r["catalog_median_ms"] <= 30
    consistent = r["committed_cases"] == r["ok"] == r["receipt_mails_queued"]
    print(
        "Ziel erreicht" if target else "Ziel NICHT erreicht",
        "· jede Bestätigung hat ihren Vorgang" if consistent else "· INKONSISTENT",
    )
    return 0 if target and consistent else 1


if __name__ == "__main__":
    raise SystemExit(main())
