"""Real services for tests, each on its own 127.0.0.1 port and torn down by the test that made it.

Plain helpers: nothing here imports the application. Each helper starts when it is constructed,
stops with ``.stop()`` (safe to call twice) and works as a context manager::

    with LocalStripe() as ls, SMTPServer() as smtp, RedisServer() as redis_srv:
        ...

Services that may be missing on a developer's machine are wrapped with ``require_service``:
a skip with the reason locally, a failure when ``CI=true``.
"""

from __future__ import annotations

import email.policy
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCALSTRIPE_LAUNCHER = REPO_ROOT / "bookingadmin" / "devtools" / "localstripe_server.py"
LOCALSTRIPE_PYTHON = Path(
    os.environ.get("LOCALSTRIPE_PYTHON", REPO_ROOT / ".venv-localstripe" / "bin" / "python")
)
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

T = TypeVar("T")


class ServiceUnavailable(RuntimeError):
    """A service could not be started or reached (missing binary, port refused, ...)."""


# --------------------------------------------------------------------------- generic helpers


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_service(name: str, check: Callable[[], T] | Any) -> T:
    """Return ``check()`` (or ``check`` itself when it is not callable) if the service is there.

    A service is missing when ``check`` raises or gives a falsy value. Then, under ``CI=true``,
    the test fails (``pytest.fail``); elsewhere it is skipped with the reason.

        ls = require_service("localstripe", LocalStripe)          # a started LocalStripe
        require_service("chromium", lambda: os.path.exists(CHROMIUM_PATH))
    """
    import pytest

    try:
        result = check() if callable(check) else check
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        reason = f"{name} unavailable: {type(exc).__name__}: {exc}"
    else:
        if result:
            return result
        reason = f"{name} unavailable"
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns a truthy value; TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def stop_process(proc: subprocess.Popen | None, timeout: float = 5.0) -> None:
    """terminate, wait, kill on timeout, wait again."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


class _Service:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# --------------------------------------------------------------------------- localstripe


class LocalStripe(_Service):
    """localstripe (fake Stripe API + Stripe.js) on 127.0.0.1, its state in a temp folder.

        with LocalStripe() as ls:
            client = ls.client()                      # stripe.StripeClient aimed at ls.url
            ls.register_webhook(live.url + "/stripe/webhook", "whsec_test")
            ... page uses <script src="{{ ls.js_url }}">

    ``port=None`` lets the launcher bind port 0 and report the real one (no race).
    After ``stop()``, ``start()`` brings it back on the same port with its objects (when
    ``persist=True``) and the webhooks registered through this object (localstripe itself
    keeps webhooks in memory only, so they are registered again).
    """

    API_KEY = "sk_test_localstripe"
    PUBLISHABLE_KEY = "pk_test_localstripe"

    def __init__(self, port: int | None = None, state_dir: str | os.PathLike | None = None,
                 persist: bool = True, startup_timeout: float = 20.0):
        if not LOCALSTRIPE_PYTHON.exists():
            raise ServiceUnavailable(
                f"{LOCALSTRIPE_PYTHON} not found: run .ci/setup-system to create .venv-localstripe"
            )
        self._own_dir = state_dir is None
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="localstripe-"))
        self.log_path = self.state_dir / "localstripe.log"
        self.port = port or 0
        self.persist = persist
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self._started_once = False
        self._webhooks: dict[str, dict[str, Any]] = {}
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "LocalStripe":
        if self.running:
            return self
        cmd = [str(LOCALSTRIPE_PYTHON), str(LOCALSTRIPE_LAUNCHER), "--port", str(self.port),
               "--state-dir", str(self.state_dir)]
        if not self.persist:
            cmd.append("--no-persist")
        if self._started_once and self.persist:
            cmd.append("--load")  # a restart keeps what the first run stored
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=str(REPO_ROOT))
        finally:
            log.close()
        try:
            if not self.port:
                self.port = int(wait_until(self._port_from_log, self.startup_timeout,
                                           message="localstripe to report its port"))
            wait_until(self._answers, self.startup_timeout, message=f"localstripe on {self.url}")
        except TimeoutError as exc:
            self.stop()
            raise ServiceUnavailable(
                f"{exc}\n--- localstripe log ---\n{_tail(self.log_path)}") from exc
        self._started_once = True
        for webhook_id, body in self._webhooks.items():  # localstripe forgets them on exit
            self._post_webhook(webhook_id, body)
        return self

    def _port_from_log(self):
        if self.proc.poll() is not None:
            raise ServiceUnavailable(f"localstripe exited with {self.proc.returncode}:\n"
                                     f"{_tail(self.log_path)}")
        for line in _tail(self.log_path, 100_000).splitlines():
            if line.startswith("localstripe listening on http://127.0.0.1:"):
                return line.split("http://127.0.0.1:", 1)[1].split()[0]
        return None

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise ServiceUnavailable(f"localstripe exited with {self.proc.returncode}:\n"
                                     f"{_tail(self.log_path)}")
        try:
            with urllib.request.urlopen(self.js_url, timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        stop_process(self.proc)

    def close(self) -> None:
        """Stop and delete the temp state folder (when this object made it)."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __exit__(self, *exc):
        self.close()

    def log_text(self) -> str:
        """localstripe's access log and webhook delivery lines (useful in assertion messages)."""
        return _tail(self.log_path, 200_000)

    def _request(self, method: str, path: str, body: dict | None = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.read()

    def register_webhook(self, url: str, secret: str, events: Iterable[str] | None = None,
                         webhook_id: str | None = None) -> str:
        """POST /_config/webhooks/<id>: deliver events (all, or only ``events``) to ``url``,
        signed with ``secret``. Returns the id. Delivery is one try, about 1 s after the event."""
        webhook_id = webhook_id or f"wh_{uuid.uuid4().hex[:16]}"
        body: dict[str, Any] = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = list(events)
        self._post_webhook(webhook_id, body)
        self._webhooks[webhook_id] = body
        return webhook_id

    def _post_webhook(self, webhook_id: str, body: dict[str, Any]) -> None:
        self._request("POST", f"/_config/webhooks/{urllib.parse.quote(webhook_id)}", body)

    def flush(self) -> None:
        """DELETE /_config/data: forget every object (webhooks stay registered)."""
        self._request("DELETE", "/_config/data")

    def client(self, api_key: str | None = None, **kwargs):
        """A ``stripe.StripeClient`` talking to this server."""
        import stripe

        kwargs.setdefault("max_network_retries", 0)
        return stripe.StripeClient(api_key or self.API_KEY,
                                   base_addresses={"api": self.url}, **kwargs)


# --------------------------------------------------------------------------- SMTP


class ReceivedMail(NamedTuple):
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class SMTPServer(_Service):
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts.

        with SMTPServer() as smtp:                       # smtp.host, smtp.port
            app.config["MAIL_PORT"] = smtp.port
            ... send ...
            [msg] = smtp.wait_for(1, timeout=10)          # list of EmailMessage
            assert msg["To"] == "a@example.com"
            smtp.refuse_next(2)                           # next 2 messages get 451 at DATA
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:  # pragma: no cover
            raise ServiceUnavailable("aiosmtpd is not installed") from exc
        self.host = host
        self.port = port or free_port(host)
        self._cond = threading.Condition()
        self._received: list[ReceivedMail] = []
        self._refuse = 0
        self._refuse_reply = "451 4.3.0 Try again later"
        self.refused = 0  # how many messages were refused so far
        self._controller = Controller(self, hostname=host, port=self.port)
        self._controller.start()

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope):
        with self._cond:
            if self._refuse > 0:
                self._refuse -= 1
                self.refused += 1
                return self._refuse_reply
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = BytesParser(policy=email.policy.default).parsebytes(raw)
        item = ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), msg)
        with self._cond:
            self._received.append(item)
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def refuse_next(self, count: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next ``count`` messages with ``reply`` (a 4xx: temporary) at DATA."""
        if reply[:1] not in ("4", "5"):
            raise ValueError("reply must be an SMTP error, e.g. '451 4.3.0 Try again later'")
        with self._cond:
            self._refuse = count
            self._refuse_reply = reply

    @property
    def messages(self) -> list[EmailMessage]:
        with self._cond:
            return [r.message for r in self._received]

    @property
    def received(self) -> list[ReceivedMail]:
        """Messages with their SMTP envelope (mail_from, rcpt_tos): Bcc shows only here."""
        with self._cond:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until at least ``count`` messages arrived; return them all, or TimeoutError."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self._received) >= count, timeout=timeout)
            if not ok:
                raise TimeoutError(
                    f"expected {count} message(s) within {timeout}s, got {len(self._received)}")
            return [r.message for r in self._received]

    def clear(self) -> None:
        with self._cond:
            self._received.clear()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


# --------------------------------------------------------------------------- Redis


class RedisServer(_Service):
    """A throwaway ``redis-server`` on 127.0.0.1 (nothing saved), for outage tests.

        with RedisServer() as rs:
            r = redis.Redis.from_url(rs.url)
            rs.stop()        # Redis is down: connections are refused
            rs.start()       # back on the same port, empty
    """

    def __init__(self, port: int | None = None, executable: str = "redis-server",
                 startup_timeout: float = 10.0):
        exe = shutil.which(executable)
        if not exe:
            raise ServiceUnavailable(f"{executable} not found (apt-get install redis-server)")
        self.executable = exe
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="redis-"))
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "RedisServer":
        if self.running:
            return self
        cmd = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", str(self.dir),
               "--daemonize", "no", "--protected-mode", "yes",
               "--logfile", str(self.dir / "redis.log")]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        try:
            wait_until(self.ping, self.startup_timeout, message=f"redis-server on {self.port}")
        except TimeoutError as exc:
            self.stop()
            raise ServiceUnavailable(f"{exc}\n{_tail(self.dir / 'redis.log')}") from exc
        return self

    def ping(self) -> bool:
        """PING over a raw socket: True when the server answers +PONG."""
        if self.proc is not None and self.proc.poll() is not None:
            raise ServiceUnavailable(f"redis-server exited with {self.proc.returncode}:\n"
                                     f"{_tail(self.dir / 'redis.log')}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.proc)

    def restart(self) -> "RedisServer":
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- WSGI live server


class LiveServer(_Service):
    """Serve a WSGI app (a Flask app) from a thread on 127.0.0.1, for browsers and webhooks.

        with LiveServer(app) as live:
            page.goto(live.url + "/book")
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None,
                 threaded: bool = True):
        from werkzeug.serving import make_server

        self.app = app
        self.host = host
        self._server = make_server(host, port or 0, app, threaded=threaded)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"LiveServer:{self.port}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None


# --------------------------------------------------------------------------- Chromium


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def launch_chromium(playwright, **kwargs):
    """Launch Debian's Chromium through Playwright (never a Playwright-downloaded browser).

        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            ...
            browser.close()
    """
    if not chromium_available():
        raise ServiceUnavailable(f"{CHROMIUM_PATH} not found: run .ci/setup-system")
    args = list(CHROMIUM_ARGS) + list(kwargs.pop("args", []))
    kwargs.setdefault("headless", True)
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=args, **kwargs)


def artifact_path(name: str) -> Path:
    """Path under test-artifacts/ (git-ignored; the folder is created)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR / name


__all__ = [
    "ARTIFACTS_DIR", "CHROMIUM_ARGS", "CHROMIUM_PATH", "LiveServer", "LocalStripe",
    "ReceivedMail", "RedisServer", "SMTPServer", "ServiceUnavailable", "artifact_path",
    "chromium_available", "free_port", "in_ci", "launch_chromium", "port_open",
    "require_service", "stop_process", "wait_until",
]
