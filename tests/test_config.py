import pytest

from bookingadmin import create_app
from config import ConfigError


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("BOOKINGADMIN_ENV", "production")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=")
    monkeypatch.setenv("APP_BASE_URL", "https://book.example.com/")
    return monkeypatch


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "DATA_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without(production_env, variable):
    production_env.delenv(variable)
    with pytest.raises(ConfigError, match=variable):
        create_app()


def test_production_starts_with_everything_set(production_env):
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_needs_its_public_address(production_env):
    production_env.delenv("APP_BASE_URL")
    with pytest.raises(ConfigError, match="APP_BASE_URL"):
        create_app()
    production_env.setenv("APP_BASE_URL", "https://book.example.com/")
    assert create_app().config["APP_BASE_URL"] == "https://book.example.com"


def test_development_base_url_follows_flask_run(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("FLASK_RUN_PORT", "8123")
    assert create_app("development").config["APP_BASE_URL"] == "http://127.0.0.1:8123"


def test_development_has_embedded_defaults(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BOOKINGADMIN_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["REDIS_URL"] is None


def test_unknown_environment_is_named(monkeypatch):
    monkeypatch.setenv("BOOKINGADMIN_ENV", "staging")
    with pytest.raises(ConfigError, match="staging"):
        create_app()
