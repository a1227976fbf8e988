"""Running the WSGI application under gunicorn without a separate config file."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Application(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from buergerticket.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int = 0) -> None:
    workers = workers or max(2, (os.cpu_count() or 1) * 2)
    _Application(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "accesslog": "-",
            "forwarded_allow_ips": os.environ.get("BUERGERTICKET_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        }
    ).run()
