"""``buergerticket demo``: one command from a fresh checkout to a running system."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

from buergerticket.automation.demo import prepare_demo
from buergerticket.demo import data
from buergerticket.processes.services.register import install_bundled_models


def prepare(cases: int) -> list[tuple[str, str, str]]:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    data.load_demo_catalog()
    prepare_demo()
    install_bundled_models()  # each service's shipped process model (idempotent)
    if not data.demo_is_loaded():
        print(f"Lege {cases} Demo-Vorgänge an …", flush=True)
        data.create_demo_cases(cases)
    return data.set_demo_passwords()


def run(*, host: str, port: int, cases: int) -> int:
    print(f"Bürgerticket-Demo in {settings.HOME} (SQLite, Entwicklungsmodus)", flush=True)
    logins = prepare(cases)
    print("\nDemo-Zugänge (Passwort jeweils „demo“):")
    for org, username, roles in logins:
        print(f"  {org:<12} {username:<12} {roles}")
    print(f"\nArbeitsplatz: http://{host}:{port}/arbeitsplatz/")
    print(f"Bürgerportal: http://{host}:{port}/musterstadt/\n", flush=True)
    env = {**os.environ, "BUERGERTICKET_MODE": "development"}
    worker = subprocess.Popen([sys.executable, "-m", "buergerticket", "worker"], env=env)
    try:
        from buergerticket.core.server import serve

        serve(host=host, port=port, workers=2)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    return 0
