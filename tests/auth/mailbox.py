"""Reading the emails the app wrote to MAIL_OUTBOX_DIR (the test config's .eml files), and the links in them."""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit


def emails(app, kind: str) -> list:
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob(f"*-{kind}.eml"))
    return [BytesParser(policy=policy.default).parse(f.open("rb")) for f in files]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link(message, path_prefix: str) -> str:
    """The path (for the test client) of the first link in the email's text that starts with `path_prefix`."""
    for url in re.findall(r"https?://\S+", text(message)):
        path = urlsplit(url).path
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no {path_prefix} link in: {text(message)}")


def recipients(message) -> list[str]:
    return [address.addr_spec for address in message["To"].addresses]
