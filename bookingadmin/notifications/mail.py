"""Handing a finished message to the world: SMTP when MAIL_SERVER is set, else an .eml file.

SMTP replies 5xx are permanent (retrying cannot help); 4xx replies and connection problems are
temporary and the outbox tries again later (up to its horizon). Wrong settings (no STARTTLS, a
refused login) fail at once as MailConfigError, which worker health shows first.
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


CONFIG_ERROR = "Mail settings: "


class MailConfigError(PermanentFailure):
    """The settings are wrong (no STARTTLS, refused login): no retry can help, staff must fix them."""

    def __init__(self, words: str):
        super().__init__(CONFIG_ERROR + words)


def connect(config) -> smtplib.SMTP:
    """An SMTP connection made with the app's settings: implicit TLS (MAIL_USE_SSL, port 465) or
    STARTTLS (MAIL_USE_TLS), then login when MAIL_USERNAME is set. Raises MailConfigError in words."""
    server, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT_SECONDS"]
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
    except ssl.SSLError as error:
        raise MailConfigError(f"implicit TLS (MAIL_USE_SSL) to {server}:{port} failed ({error.reason}); "
                              "is this the server's TLS port (usually 465)?") from error
    try:
        _secure_and_login(smtp, config)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _secure_and_login(smtp: smtplib.SMTP, config) -> None:
    if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
        try:
            smtp.starttls(context=ssl.create_default_context())
        except smtplib.SMTPNotSupportedError as error:
            raise MailConfigError("the server does not offer STARTTLS, but MAIL_USE_TLS is on; set MAIL_USE_TLS=0 "
                                  "for a server without encryption, or MAIL_USE_SSL=1 for implicit TLS") from error
        except ssl.SSLError as error:
            raise MailConfigError(f"STARTTLS failed ({error.reason}): check the server's certificate") from error
    if config.get("MAIL_USERNAME"):
        try:
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except smtplib.SMTPAuthenticationError as error:
            raise MailConfigError(f"the server refused MAIL_USERNAME / MAIL_PASSWORD ({error.smtp_code} "
                                  f"{_text(error.smtp_error)})") from error
        except smtplib.SMTPNotSupportedError as error:
            raise MailConfigError("MAIL_USERNAME is set but the server offers no login (AUTH); "
                                  "unset it, or turn on MAIL_USE_TLS (many servers only offer AUTH after it)") from error


def _send_smtp(message: EmailMessage, config) -> None:
    try:
        with connect(config) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"recipient refused: {error.recipients}") from error
        raise
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == 530:
            raise MailConfigError("the server requires authentication: set MAIL_USERNAME and MAIL_PASSWORD") from error
        if 500 <= error.smtp_code < 600:
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
