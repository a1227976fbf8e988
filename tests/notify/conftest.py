"""The outgoing side shares the mail fixtures of the e-mail channel."""

from tests.intake.conftest import deliver, emailed_case, smtp_server, smtp_settings

__all__ = ["deliver", "emailed_case", "smtp_server", "smtp_settings"]
