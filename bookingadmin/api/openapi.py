"""The OpenAPI 3.1 document, built from the routes themselves (routing.OPERATIONS): every route
is documented with its permission, parameters, body and answers, and nothing undocumented exists.
Response shapes are written out here as JSON Schema; tests check real answers against them.
"""
from __future__ import annotations

import re

from flask import current_app

from ..core.validation import MAX_DB_INT
from .routing import AUTHENTICATED, IDEMPOTENT_METHODS, OPERATIONS, PUBLIC, AnyOf, Operation

_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with UTC offset"}
_DAY = {"type": "string", "format": "date"}
_NULL = {"type": "null"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, _NULL]}


def _obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties), **extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, **extra_properties) -> dict:
    return _obj({"items": {"type": "array", "items": _ref(name)}, **extra_properties})


MONEY = _obj({"amount": {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}, "currency": {"type": "string",
             "enum": ["USD", "SAR", "EGP"]}}, description="Exact money: a decimal string and an ISO 4217 code")
BILINGUAL = _obj({"en": _STR, "ar": _STR})

RESPONSE_SCHEMAS: dict[str, dict] = {
    "Error": _obj({"error": _obj({"code": _STR, "message": _STR,
                                  "fields": {"type": "object", "additionalProperties": _STR}})}),
    "Money": MONEY,
    "Bilingual": BILINGUAL,
    "User": _obj({"id": _INT, "email": _STR, "name": _STR, "role": _STR, "language": _STR, "timezone": _STR}),
    "Me": _obj({"id": _INT, "email": _STR, "name": _STR, "role": _STR, "language": _STR, "timezone": _STR,
                "permissions": {"type": "array", "items": _STR}}),
    "IssuedToken": _obj({"token": _STR, "token_type": {"const": "Bearer"}, "expires_at": _INSTANT,
                         "user": _ref("User")}),
    "CsrfToken": _obj({"csrf_token": _STR}),
    "ConsultationType": _obj({
        "id": _INT, "number": _INT, "title": _ref("Bilingual"), "description": _ref("Bilingual"),
        "category": _STR, "duration_label": _STR, "features": {"type": "array", "items": _STR},
        "image_url": _nullable(_STR), "currency": _STR, "is_free": _BOOL,
        "durations": {"type": "array", "items": _obj({"minutes": _INT, "price": _ref("Money"),
                                                       "is_default": _BOOL})},
        "requires_approval": _BOOL, "meeting_mode": _STR, "capacity": _INT, "min_notice_minutes": _INT,
        "horizon_days": _INT,
        "cancellation_policy": _obj({"full_refund_until_hours_before": _INT,
                                     "partial_refund_until_hours_before": _INT,
                                     "partial_refund_percent": _INT, "reschedule_until_hours_before": _INT}),
        "coach_ids": {"type": "array", "items": _INT}}),
    "ConsultationTypeList": _list_of("ConsultationType"),
    "Coach": _obj({
        "id": _INT, "slug": _STR, "display_name": _ref("Bilingual"), "title": _STR, "bio": _STR,
        "specialties": {"type": "array", "items": _STR}, "languages": {"type": "array", "items": _STR},
        "years_experience": _nullable(_INT), "review_count": _INT,
        "rating": _nullable({"type": "string", "pattern": r"^[0-5]\.\d{2}$",
                             "description": "average of the reviews' ratings (each a whole number 1 to 5)"}),
        "avatar_url": _nullable(_STR), "timezone": _STR, "consultation_type_ids": {"type": "array", "items": _INT}}),
    "CoachList": _list_of("Coach"),
}


def register_schema(name: str, schema: dict) -> None:
    """Views add the shapes of their answers here (one place per area, next to the code rendering them)."""
    RESPONSE_SCHEMAS[name] = schema


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        schema = ({"type": "integer", "minimum": 0, "maximum": MAX_DB_INT} if converter == "int"
                  else {"type": "string", "minLength": 1})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule), params


def _permission_text(permission) -> str:
    if permission == PUBLIC:
        return "Public: no credentials needed."
    if permission == AUTHENTICATED:
        return "Any signed-in account."
    if isinstance(permission, AnyOf):
        return "Needs one of the permissions: " + ", ".join(f"`{p}`" for p in permission.permissions) + "."
    return f"Needs the permission `{permission}`."


_ERROR_TEXT = {400: "Malformed input; `fields` names each bad field", 401: "No or bad credentials",
               403: "Not allowed (permission or CSRF)", 404: "Not found, or not yours",
               409: "Conflicts with the current state (slot taken, illegal transition)",
               422: "Refused by a business rule; `fields` names the field"}


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
    "description": "Any unique string (a UUID) chosen by the client per intended change. Sent again with the "
                   "same request within 24 hours, the first answer (status and body) is returned, with the "
                   "header `Idempotent-Replayed: true`, and the work is not done again. Keys are per user. The "
                   "same key with another request is a 422 `idempotency_key_reused`; while the first request "
                   "runs, a second one waits for its answer (or gets a 409 `idempotency_in_progress`). Only "
                   "successes are kept: after an error answer the key may be used again."}


def _operation(op: Operation, path_params: list[dict]) -> dict:
    description = "\n\n".join(filter(None, [_permission_text(op.permission), op.description]))
    doc: dict = {"operationId": op.endpoint, "summary": op.summary, "description": description,
                 "tags": [op.tag], "x-permission": str(op.permission)}
    if op.permission != PUBLIC:
        doc["security"] = [{"bearerToken": []}, {"sessionCookie": []}]
    else:
        doc["security"] = [{}]
    params = list(path_params) + (op.query.query_parameters() if op.query else [])
    idempotent = op.method in IDEMPOTENT_METHODS and op.permission != PUBLIC
    if idempotent:
        params.append(IDEMPOTENCY_PARAMETER)
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {"required": any(f.required for f in op.body.fields.values()),
                              "content": {"application/json": {"schema": _ref(op.body.name)}}}
    success = {"description": "Success"}
    if op.response:
        success["content"] = {"application/json": {"schema": _ref(op.response)}}
    responses = {str(op.status): success}
    errors = set(op.errors) | ({400} if (op.query or op.body) else set())
    if op.permission != PUBLIC:
        errors |= {401}
    if op.permission not in (PUBLIC, AUTHENTICATED):
        errors |= {403}
    if idempotent:
        errors |= {409, 422}
    for status in sorted(errors):
        responses[str(status)] = {"description": _ERROR_TEXT.get(status, "Error"),
                                  "content": {"application/json": {"schema": _ref("Error")}}}
    doc["responses"] = responses
    return doc


def build_document(server_url: str | None = None) -> dict:
    """The document; `servers` is APP_BASE_URL (never the request's Host header, which a client picks)."""
    server_url = server_url or current_app.config["APP_BASE_URL"].rstrip("/") + "/"
    paths: dict[str, dict] = {}
    schemas = dict(RESPONSE_SCHEMAS)
    for op in OPERATIONS:
        path, path_params = _openapi_path(op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, path_params)
        for schema in filter(None, (op.query, op.body)):
            for item in (schema, *schema.nested_schemas()):
                schemas[item.name] = item.json_schema()
    return {
        "openapi": "3.1.0",
        "info": {"title": "bookingadmin API", "version": "1",
                 "description": "Consultation catalog, availability and bookings. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}. Times are ISO 8601 with "
                                "offsets; money is a decimal string with a currency. Ids are whole numbers "
                                f"from 1 to {MAX_DB_INT}; text never contains the NUL character; paging "
                                "cursors are opaque."},
        "servers": [{"url": server_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "A token from POST /api/v1/auth/token"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "The web session; unsafe methods also need X-CSRFToken"},
            },
        },
    }
