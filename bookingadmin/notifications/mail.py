"""Handing a finished message to the world: SMTP when MAIL_SERVER is set, else an .eml file.

SMTP replies 5xx are permanent (retrying cannot help); 4xx replies and connection problems are
temporary and the outbox tries again later.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from ..core.outbox import PermanentFailure


def deliver(message: EmailMessage, *, name: str) -> None:
    """Send `message`; `name` names its .eml file in the outbox folder (rewritten, never duplicated)."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config)
    else:
        _write_eml(message, Path(config["MAIL_OUTBOX_DIR"]), name)


def _send_smtp(message: EmailMessage, config) -> None:
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"recipient refused: {error.recipients}") from error
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600 and error.smtp_code != 530:  # 530: auth needed, a config problem
            raise PermanentFailure(f"SMTP {error.smtp_code}: {_text(error.smtp_error)}") from error
        raise


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _write_eml(message: EmailMessage, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.eml"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".eml")
    with os.fdopen(fd, "wb") as handle:
        handle.write(message.as_bytes())
    os.replace(tmp, target)  # atomic: a reader never sees half a message
