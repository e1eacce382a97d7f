"""Logs that never carry secrets: voucher codes are masked, passwords and cookies never written.

:class:`SecretsFilter` masks every log record of the app and of Werkzeug's development server;
:class:`GunicornLogger` does the same for gunicorn's access log (``logger_class`` in gunicorn.conf.py).
"""

import logging
import re

SEP = r"(?:\s|-|\+|%20|%2D)*"
CODE = re.compile(rf"(?<!\d)(\d{{4}}){SEP}(\d{{4}}){SEP}(\d{{4}}){SEP}(\d{{4}})(?!\d)")
SECRET_FIELDS = re.compile(r"(?i)((?:password|csrf_token|session)=)[^&\s\"']*")


def mask_secrets(text: str) -> str:
    """Mask voucher codes (``…/1234567890123456`` → ``…/1234********3456``) and ``password=``/``session=`` values."""
    text = CODE.sub(lambda m: f"{m.group(1)}********{m.group(4)}", text)
    return SECRET_FIELDS.sub(r"\1***", text)


class SecretsFilter(logging.Filter):
    """A logging filter that rewrites each record's message with :func:`mask_secrets`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install(app_logger: logging.Logger) -> None:
    """Mask secrets in the app's log and in Werkzeug's request log."""
    for logger in (app_logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, SecretsFilter) for f in logger.filters):
            logger.addFilter(SecretsFilter())


try:  # gunicorn is only present where the app is served with it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with voucher codes masked in the access log's request line, path and query."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_secrets(atoms[key])
        return atoms
