"""Configuration, read from environment variables when the app is created.

Development runs with embedded defaults (SQLite under instance/, jobs inline, emails written to
instance/outbox/). Production refuses to start when a variable it cannot do without is unset.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# A fixed development key so demo data stays readable across restarts; never used in production.
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="

ENVIRONMENTS = ("development", "testing", "production")
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "DATA_ENCRYPTION_KEYS")
REQUIRED_IN_PRODUCTION += ("APP_BASE_URL",)  # emails, feeds and the API document name the site by it


class ConfigError(RuntimeError):
    """The environment cannot run the app; the message names the variable."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _env_bool(name: str, default: bool) -> bool:
    return (_env(name, "1" if default else "0") or "").lower() in {"1", "true", "yes", "on"}


def _dev_base_url() -> str:
    """Where `flask run` / `make run` serve the app by default (their host and port variables)."""
    return f"http://{_env('FLASK_RUN_HOST', '127.0.0.1')}:{_env('FLASK_RUN_PORT', '5000')}"


def load_config(env_name: str | None = None) -> dict:
    """Settings for `env_name` (BOOKINGADMIN_ENV, default development) from the environment."""
    env_name = env_name or _env("BOOKINGADMIN_ENV", "development")
    if env_name not in ENVIRONMENTS:
        raise ConfigError(f"BOOKINGADMIN_ENV={env_name!r} is not one of {', '.join(ENVIRONMENTS)}")
    instance_dir = Path(_env("INSTANCE_DIR", str(BASE_DIR / "instance")))
    production = env_name == "production"
    if production:
        missing = [name for name in REQUIRED_IN_PRODUCTION if not _env(name)]
        if missing:
            raise ConfigError(f"Production needs {', '.join(missing)} to be set in the environment")
    config = {
        "ENV_NAME": env_name,
        "TESTING": env_name == "testing",
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": _env("SECRET_KEY", None if production else "dev-only-not-secret"),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{instance_dir / 'bookingadmin.db'}"),
        # hide_parameters: a failed statement is logged without its values (emails, phones, hashes).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # The site's public address: links in emails, feed URLs, the API document's `servers`.
        "APP_BASE_URL": (_env("APP_BASE_URL", _dev_base_url()) or "").rstrip("/"),
        # Unset: background jobs run inline, in-process, after commit.
        "REDIS_URL": _env("REDIS_URL"),
        "RQ_QUEUES": ["emails", "receipts", "default"],
        # Comma-separated Fernet keys for intake (health) data, newest first; old ones still decrypt.
        "DATA_ENCRYPTION_KEYS": _env("DATA_ENCRYPTION_KEYS", None if production else DEV_ENCRYPTION_KEY),
        "BUSINESS_NAME": _env("BUSINESS_NAME", "Bookingadmin Coaching"),
        "BUSINESS_ADDRESS": _env("BUSINESS_ADDRESS", ""),
        "BUSINESS_EMAIL": _env("BUSINESS_EMAIL", "hello@example.com"),
        "DEFAULT_TIMEZONE": _env("DEFAULT_TIMEZONE", "Asia/Riyadh"),
        "DEFAULT_LANGUAGE": _env("DEFAULT_LANGUAGE", "en"),
        "HOLD_MINUTES": _env_int("HOLD_MINUTES", 15),
        # Payments: without STRIPE_SECRET_KEY only manual payments are taken.
        "STRIPE_SECRET_KEY": _env("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": _env("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": _env("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": _env("STRIPE_API_BASE"),
        "STRIPE_JS_URL": _env("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        # Email: without MAIL_SERVER messages are written as .eml files to MAIL_OUTBOX_DIR.
        "MAIL_SERVER": _env("MAIL_SERVER"),
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_FROM": _env("MAIL_FROM", "Bookingadmin <no-reply@example.com>"),
        "MAIL_OUTBOX_DIR": _env("MAIL_OUTBOX_DIR", str(instance_dir / "outbox")),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production and _env_bool("SESSION_COOKIE_SECURE", True),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Sites allowed to show the booking pages in a frame (CSP frame-ancestors sources, space
        # separated, e.g. "https://www.example.com"); the back office is never framed.
        "BOOKING_FRAME_ANCESTORS": _env("BOOKING_FRAME_ANCESTORS", "'none'"),
        # Strict-Transport-Security max-age; production only by default (0 leaves the header out).
        "HSTS_SECONDS": _env_int("HSTS_SECONDS", 31536000 if production else 0),
        # Sessions (auth/sessions.py): signed out after this long without a request, and this long
        # after signing in whatever happens.
        "STAFF_IDLE_MINUTES": _env_int("STAFF_IDLE_MINUTES", 120),
        "CUSTOMER_IDLE_MINUTES": _env_int("CUSTOMER_IDLE_MINUTES", 240),
        "SESSION_MAX_HOURS": _env_int("SESSION_MAX_HOURS", 12),
        # Passwords (auth/passwords.py): zxcvbn score 0-4 a new password must reach.
        "PASSWORD_MIN_LENGTH": _env_int("PASSWORD_MIN_LENGTH", 10),
        "PASSWORD_MIN_SCORE": _env_int("PASSWORD_MIN_SCORE", 3),
        # Throttling (auth/throttle.py, Flask-Limiter): shared Redis counters when REDIS_URL is set,
        # else per-process memory. Limits are "N per period" lists; the longer windows make the wait grow.
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", _env("REDIS_URL") or "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "bookingadmin",
        "RATELIMIT_SWALLOW_ERRORS": production,  # Redis down: sign-in still works, throttled per process
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Password reset and email change links (auth/links.py): minutes they stay valid; reset
        # requests are throttled per address asked for and per IP, every request counting.
        "PASSWORD_RESET_MINUTES": _env_int("PASSWORD_RESET_MINUTES", 60),
        "EMAIL_CHANGE_MINUTES": _env_int("EMAIL_CHANGE_MINUTES", 24 * 60),
        "RESET_LIMITS_PER_ACCOUNT": _env("RESET_LIMITS_PER_ACCOUNT", "3 per 15 minutes;10 per day"),
        "RESET_LIMITS_PER_IP": _env("RESET_LIMITS_PER_IP", "20 per hour;100 per day"),
        "SIGNIN_LIMITS_PER_ACCOUNT": _env("SIGNIN_LIMITS_PER_ACCOUNT", "5 per minute;20 per hour;50 per day"),
        "SIGNIN_LIMITS_PER_IP": _env("SIGNIN_LIMITS_PER_IP", "20 per minute;100 per hour;500 per day"),
        "REGISTER_LIMITS_PER_ACCOUNT": _env("REGISTER_LIMITS_PER_ACCOUNT", "3 per hour;10 per day"),
        "REGISTER_LIMITS_PER_IP": _env("REGISTER_LIMITS_PER_IP", "10 per hour;50 per day"),
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (0: use the peer address).
        "TRUSTED_PROXY_COUNT": _env_int("TRUSTED_PROXY_COUNT", 0),
        # PDF receipts: unset means "if WeasyPrint's libraries load" (receipts/pdf.py); false turns them off.
        "RECEIPTS_ENABLED": None if _env("RECEIPTS_ENABLED") is None else _env_bool("RECEIPTS_ENABLED", True),
        # Tests only: the render job and emails leave the PDF out; a download still renders it.
        "RECEIPTS_DEFER_PDF": False,
    }
    if env_name == "testing":
        config.update(REDIS_URL=None, STRIPE_SECRET_KEY=None, MAIL_SERVER=None, RATELIMIT_STORAGE_URI="memory://")
    return config
