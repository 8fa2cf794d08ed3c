"""API test helpers: a client that carries a Bearer token, row counts, a schema checker.

Catalog and booking factories (make_coach, make_type, make_catalog, make_booking) are the shared
ones in tests/conftest.py."""
from __future__ import annotations

import pytest

from bookingadmin.extensions import db


class ApiClient:
    """`api.login(email)` gets a token through the API itself; later calls send it as Bearer."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def login(self, email: str, password: str = "correct-horse") -> str:
        response = self.client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 201, response.get_json()
        self.token = response.get_json()["token"]
        return self.token

    def as_user(self, user) -> "ApiClient":
        self.login(user.email)
        return self

    def _headers(self, headers: dict | None) -> dict:
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.client.put(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.client.patch(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, path, **kwargs):
        return self.client.delete(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def api(app):
    """A fresh client of its own (no cookies shared with `client`)."""
    return ApiClient(app.test_client())


@pytest.fixture
def api_for(app):
    """api_for(user) -> an ApiClient holding a token of that (existing) user."""
    return lambda user: ApiClient(app.test_client()).as_user(user)


@pytest.fixture
def api_as(app, make_user):
    """api_as(role="customer", **fields) -> (ApiClient with a token, User)."""

    def factory(role: str = "customer", **fields):
        user = make_user(role=role, **fields)
        return ApiClient(app.test_client()).as_user(user), user

    return factory


def row_counts(*models) -> dict[str, int]:
    """Rows per table, to show a refused request wrote nothing."""
    import sqlalchemy as sa

    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}


@pytest.fixture
def counts(app):
    """counts(Model, ...) -> {table: rows}: to show a refused request wrote nothing."""
    return row_counts


def check_against_schema(value, schema: dict, components: dict, path: str = "$") -> None:
    """A small JSON Schema check (type, required, properties, items, enum, const, anyOf, $ref): enough
    to prove the answers match the documented shapes, without a dependency."""
    if "$ref" in schema:
        return check_against_schema(value, components[schema["$ref"].rsplit("/", 1)[1]], components, path)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                return check_against_schema(value, option, components, path)
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{path}: matches none of anyOf: {errors}")
    if "const" in schema:
        assert value == schema["const"], f"{path}: {value!r} != {schema['const']!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        python = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool,
                  "null": type(None), "number": (int, float)}
        ok = any(isinstance(value, python[t]) and not (t == "integer" and isinstance(value, bool)) for t in types)
        assert ok, f"{path}: {value!r} is not {types}"
    if isinstance(value, dict):
        for name in schema.get("required", []):
            assert name in value, f"{path}: missing {name!r}"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check_against_schema(value[name], sub, components, f"{path}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                if name not in schema.get("properties", {}):
                    check_against_schema(item, extra, components, f"{path}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check_against_schema(item, schema["items"], components, f"{path}[{i}]")


@pytest.fixture
def documented(app):
    """documented(response, "Booking"): the JSON answer matches its schema in the OpenAPI document."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    components = document["components"]["schemas"]

    def check(response, name: str):
        check_against_schema(response.get_json(), components[name], components)
        return response.get_json()

    return check
