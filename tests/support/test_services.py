"""The test helpers in tests/support/services.py, each against the real service it wraps."""

import json
import smtplib
import socket
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

try:
    from tests.support.services import (
        LiveServer, LocalStripe, RedisServer, SMTPServer, artifact_path, chromium_available,
        free_port, launch_chromium, port_open, require_service, wait_until)
except ImportError:  # run from another folder: put the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.support.services import (
        LiveServer, LocalStripe, RedisServer, SMTPServer, artifact_path, chromium_available,
        free_port, launch_chromium, port_open, require_service, wait_until)

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = REPO_ROOT / "bookingadmin" / "static"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def localstripe():
    ls = require_service("localstripe", LocalStripe)
    yield ls
    ls.close()


@pytest.fixture
def smtp():
    server = require_service("SMTP (aiosmtpd)", SMTPServer)
    yield server
    server.stop()


@pytest.fixture
def redis_server():
    server = require_service("redis-server", RedisServer)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = require_service("playwright", lambda: __import__("playwright.sync_api").sync_api)
    require_service("chromium", chromium_available)
    with sync_api.sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


# --------------------------------------------------------------------------- small helpers


def test_free_port_can_be_bound():
    port = free_port()
    assert 1024 < port < 65536
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
    assert not port_open("127.0.0.1", port)


def test_require_service_skips_locally_and_fails_in_ci(monkeypatch):
    def broken():
        raise ConnectionRefusedError("nobody home")

    assert require_service("thing", lambda: 42) == 42

    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="thing unavailable: ConnectionRefusedError"):
        require_service("thing", broken)
    with pytest.raises(pytest.skip.Exception, match="thing unavailable"):
        require_service("thing", lambda: False)

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_service("thing", broken)


# --------------------------------------------------------------------------- localstripe


def test_localstripe_card_payment_with_stripe_library(localstripe):
    import stripe

    client = localstripe.client()
    pm = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    assert pm.card.last4 == "4242"
    pi = client.v1.payment_intents.create(params={
        "amount": 15000, "currency": "usd", "payment_method": pm.id,
        "metadata": {"booking": "CB-20261122-0001"},
    })
    assert pi.status == "requires_confirmation"
    pi = client.v1.payment_intents.confirm(pi.id)
    assert pi.status == "succeeded"
    assert pi.amount == 15000 and pi.currency == "usd"
    assert client.v1.payment_intents.retrieve(pi.id).metadata["booking"] == "CB-20261122-0001"

    # The test card that is declined on charge raises the library's real CardError.
    bad = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    declined = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "payment_method": bad.id})
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(declined.id)

    # Its state goes to its own folder, not the shared /tmp/localstripe.pickle.
    state = localstripe.state_dir / "localstripe.pickle"
    assert state.exists() and pi.id.encode() in state.read_bytes()


def _webhook_app(secret):
    """A tiny Flask app whose /stripe/webhook verifies the signature and keeps the events."""
    import stripe
    from flask import Flask, request

    app = Flask("webhook_probe")
    app.events = []

    @app.post("/stripe/webhook")
    def webhook():
        try:
            event = stripe.Webhook.construct_event(
                request.get_data(), request.headers.get("Stripe-Signature"), secret)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            return {"error": str(exc)}, 400
        app.events.append(event)
        return {"ok": True}

    return app


def test_localstripe_webhook_reaches_live_server_and_verifies(tmp_path):
    import urllib.error
    import urllib.request

    secret = "whsec_test_infra"
    app = _webhook_app(secret)
    events = app.events
    ls = require_service("localstripe", lambda: LocalStripe(state_dir=tmp_path))
    with ls, LiveServer(app) as live:
        ls.register_webhook(live.url + "/stripe/webhook", secret,
                            events=["payment_intent.succeeded"])
        client = ls.client()
        pi = client.v1.payment_intents.create(
            params={"amount": 2500, "currency": "sar", "payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(pi.id)

        wait_until(lambda: events, timeout=10, message=f"webhook; log:\n{ls.log_text()}")
        time.sleep(0.3)  # anything else (filtered out) would have arrived together
        assert [e.type for e in events] == ["payment_intent.succeeded"]
        assert events[0]["data"]["object"]["id"] == pi.id
        assert events[0]["data"]["object"]["amount"] == 2500

        # A forged signature is refused by the same endpoint.
        req = urllib.request.Request(
            live.url + "/stripe/webhook", data=b'{"id": "evt_forged"}', method="POST",
            headers={"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}",
                     "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=5)
        assert err.value.code == 400
        assert len(events) == 1


def test_localstripe_restarts_on_same_port_with_state_and_webhooks(tmp_path):
    import stripe

    secret = "whsec_restart"
    app = _webhook_app(secret)
    ls = require_service("localstripe", lambda: LocalStripe(state_dir=tmp_path))
    with ls, LiveServer(app) as live:
        port = ls.port
        ls.register_webhook(live.url + "/stripe/webhook", secret,
                            events=["payment_intent.succeeded"])
        client = ls.client()
        cus = client.v1.customers.create(params={"email": "a@example.com"})

        ls.stop()
        assert not port_open("127.0.0.1", port)
        with pytest.raises(stripe.APIConnectionError):
            client.v1.customers.retrieve(cus.id)

        ls.start()
        assert ls.port == port
        assert client.v1.customers.retrieve(cus.id).email == "a@example.com"
        pi = client.v1.payment_intents.create(
            params={"amount": 700, "currency": "usd", "payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(pi.id)
        wait_until(lambda: app.events, timeout=10, message=f"webhook; log:\n{ls.log_text()}")
        assert app.events[0]["data"]["object"]["id"] == pi.id


# --------------------------------------------------------------------------- SMTP


def _message(to="customer@example.com", subject="تأكيد الحجز CB-20261122-0001"):
    msg = EmailMessage()
    msg["From"] = "bookings@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("موعدك مؤكد.\nYour booking is confirmed.")
    return msg


def test_smtp_receives_messages(smtp):
    with smtplib.SMTP(smtp.host, smtp.port, timeout=5) as client:
        client.send_message(_message(), to_addrs=["customer@example.com", "audit@example.com"])
    [msg] = smtp.wait_for(1, timeout=5)
    assert msg["To"] == "customer@example.com"
    assert msg["Subject"] == "تأكيد الحجز CB-20261122-0001"
    assert "موعدك مؤكد" in msg.get_content()
    assert smtp.received[0].rcpt_tos == ["customer@example.com", "audit@example.com"]
    with pytest.raises(TimeoutError):
        smtp.wait_for(2, timeout=0.2)


def test_smtp_refuses_once_then_accepts(smtp):
    smtp.refuse_next(1)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as err:
            client.send_message(_message(subject="first try"))
        assert err.value.smtp_code == 451
    assert smtp.messages == [] and smtp.refused == 1
    with smtplib.SMTP(smtp.host, smtp.port, timeout=5) as client:
        client.send_message(_message(subject="second try"))
    [msg] = smtp.wait_for(1, timeout=5)
    assert msg["Subject"] == "second try"


# --------------------------------------------------------------------------- Redis


def test_redis_server_stop_and_restart_on_same_port(redis_server):
    import redis

    r = redis.Redis.from_url(redis_server.url, socket_timeout=2, socket_connect_timeout=2)
    r.set("k", "v")
    assert r.get("k") == b"v"
    port = redis_server.port

    redis_server.stop()
    assert not port_open("127.0.0.1", port)
    with pytest.raises(redis.ConnectionError):
        r.ping()

    redis_server.start()
    assert redis_server.port == port
    assert r.ping()
    assert r.get("k") is None  # nothing is saved across restarts
    assert r.config_get("appendonly")["appendonly"] == "no"
    assert r.config_get("save")["save"] == ""


# --------------------------------------------------------------------------- LiveServer


def test_live_server_serves_and_stops():
    import urllib.request
    from flask import Flask

    app = Flask("probe")
    app.add_url_rule("/hello", "hello", lambda: "hi")
    live = LiveServer(app)
    with urllib.request.urlopen(live.url + "/hello", timeout=5) as r:
        assert r.read() == b"hi"
    live.stop()
    assert not port_open("127.0.0.1", live.port)


# --------------------------------------------------------------------------- Chromium


def _external_requests(page, live_origins):
    seen = []
    page.on("request", lambda req: seen.append(req.url))
    return lambda: [u for u in seen
                    if not u.startswith(tuple(live_origins)) and not u.startswith("data:")]


def test_chromium_renders_vendored_assets_offline(browser):
    from flask import Flask

    app = Flask("assets_probe", static_folder=str(STATIC_DIR), static_url_path="/static")

    @app.get("/")
    def page():
        return """<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/vendor/bootstrap5/bootstrap.rtl.min.css">
<script src="/static/vendor/bootstrap5/bootstrap.bundle.min.js"></script>
<script src="/static/vendor/chartjs/chart.umd.min.js"></script>
</head><body class="p-3">
<h1 class="text-primary">الحجوزات</h1>
<button class="btn btn-primary ms-3" id="b">احجز الآن</button>
<div style="width:400px;height:200px"><canvas id="c"></canvas></div>
<script>
new Chart(document.getElementById('c'), {type: 'bar', options: {animation: false},
  data: {labels: ['يناير', 'فبراير', 'مارس'], datasets: [{label: 'bookings', data: [3, 7, 5]}]}});
window.done = true;
</script></body></html>"""

    with LiveServer(app) as live:
        page = browser.new_page(viewport={"width": 600, "height": 400})
        external = _external_requests(page, [live.url])
        page.goto(live.url + "/")
        page.wait_for_function("window.done === true")
        assert page.evaluate("typeof Chart") == "function"
        assert page.evaluate("typeof bootstrap.Modal") == "function"
        bg = page.eval_on_selector(".btn-primary", "e => getComputedStyle(e).backgroundColor")
        assert bg == "rgb(13, 110, 253)"  # Bootstrap 5's primary: the CSS really loaded
        # RTL build: ms-3 (margin-start) is a right margin under dir=rtl.
        assert page.eval_on_selector("#b", "e => getComputedStyle(e).marginRight") == "16px"
        drawn = page.evaluate("""() => {
            const c = document.getElementById('c');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
            return false; }""")
        assert drawn, "Chart.js drew nothing"
        page.screenshot(path=str(artifact_path("support-vendored-assets.png")))
        assert external() == []
        page.close()


def _stripe_js_app(ls):
    from flask import Flask, request

    app = Flask("stripe_js_probe")

    @app.get("/pay")
    def pay():
        secret = json.dumps(request.args["secret"])
        mode = json.dumps(request.args["mode"])
        return f"""<!doctype html><html><head><meta charset="utf-8">
<script src="{ls.js_url}"></script></head><body>
<div id="card"></div><button id="go">Pay</button><pre id="result"></pre>
<script>
const stripe = Stripe({json.dumps(ls.PUBLISHABLE_KEY)});
const card = stripe.elements().create('card');
card.mount('#card');
document.getElementById('go').addEventListener('click', async () => {{
  const r = {mode} === 'setup'
    ? await stripe.confirmCardSetup({secret}, {{payment_method: {{card}}}})
    : await stripe.confirmCardPayment({secret});
  const obj = r.setupIntent || r.paymentIntent;
  document.getElementById('result').textContent = JSON.stringify(
    r.error ? {{error: r.error.message || String(r.error)}}
            : {{status: obj.status, payment_method: obj.payment_method}});
}});
</script></body></html>"""

    return app


def _result(page):
    page.wait_for_function("document.getElementById('result').textContent.length > 0")
    return json.loads(page.text_content("#result"))


def test_chromium_stripe_js_card_setup_then_server_payment(browser, localstripe):
    """localstripe's Stripe.js: the card Element + confirmCardSetup create a real PaymentMethod."""
    client = localstripe.client()
    seti = client.v1.setup_intents.create(params={"payment_method_types": ["card"]})
    with LiveServer(_stripe_js_app(localstripe)) as live:
        page = browser.new_page()
        page.goto(f"{live.url}/pay?mode=setup&secret={seti.client_secret}")
        assert page.evaluate("typeof Stripe") == "function"
        page.fill("#card input[placeholder=number]", "4242424242424242")
        page.fill("#card input[placeholder=exp_month]", "12")
        page.fill("#card input[placeholder=exp_year]", "34")
        page.fill("#card input[placeholder=cvc]", "123")
        page.fill("#card input[placeholder=postal_code]", "12345")
        page.click("#go")
        result = _result(page)
        page.close()
    assert result["status"] == "succeeded", result
    pm = client.v1.payment_methods.retrieve(result["payment_method"])
    assert pm.card.last4 == "4242"
    pi = client.v1.payment_intents.create(
        params={"amount": 9900, "currency": "egp", "payment_method": pm.id})
    assert client.v1.payment_intents.confirm(pi.id).status == "succeeded"


def test_chromium_stripe_js_3ds_confirm_card_payment(browser, localstripe):
    """confirmCardPayment in localstripe only answers a 3-D Secure challenge (a modal)."""
    client = localstripe.client()
    pm = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    pi = client.v1.payment_intents.create(
        params={"amount": 12000, "currency": "usd", "payment_method": pm.id})
    assert client.v1.payment_intents.confirm(pi.id).status == "requires_action"
    with LiveServer(_stripe_js_app(localstripe)) as live:
        page = browser.new_page()
        page.goto(f"{live.url}/pay?mode=payment&secret={pi.client_secret}")
        page.click("#go")
        page.get_by_role("button", name="Complete authentication").wait_for()
        page.screenshot(path=str(artifact_path("support-localstripe-3ds.png")))
        page.get_by_role("button", name="Complete authentication").click()
        result = _result(page)
        page.close()
    assert result["status"] == "succeeded", result
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"
