"""Tokens and the caller's own account."""
from __future__ import annotations

from flask import g, jsonify
from flask_wtf.csrf import generate_csrf

from ...auth import tokens
from ...auth.permissions import ROLE_PERMISSIONS
from ...auth.services import authenticate
from ...auth.throttle import throttle_sign_in
from ...core.clock import utcnow
from ...core.web import run_service
from .. import render
from ..errors import ApiError, committed
from ..routing import AUTHENTICATED, PUBLIC, api_route
from ..schemas import Schema, Text

TOKEN_REQUEST = Schema("TokenRequest", {
    "email": Text(required=True, min_length=1, max_length=254),
    "password": Text(required=True, min_length=1, max_length=128, strip=False),
    "label": Text(max_length=100, default="", description="a name to recognise the token by, e.g. 'iPhone app'"),
})


@api_route("/auth/token", "POST", permission=PUBLIC, summary="Exchange email and password for an API token",
           tag="auth", body=TOKEN_REQUEST, response="IssuedToken", status=201, errors=(400, 401, 429))
@throttle_sign_in
def issue_token(body):
    """The token is shown once; send it as `Authorization: Bearer <token>`. Only its hash is stored.

    Failed attempts are throttled per account and per IP address, together with the sign-in page:
    past the limit the answer is 429 with `Retry-After` (seconds)."""
    now = utcnow()
    with run_service(show=False, commit=False) as signed_in:
        user = authenticate(body["email"], body["password"], now)
    if not signed_in:  # one answer for a wrong email or password: 401, not the service's 422
        raise ApiError(401, "invalid_credentials", signed_in.error.message, fields=signed_in.error.fields)
    with committed():
        token, raw = tokens.issue_token(user, now=now, label=body["label"])
    return jsonify({"token": raw, "token_type": "Bearer", "expires_at": render.instant(token.expires_at),
                    "user": render.user(user)}), 201


@api_route("/auth/token", "DELETE", permission=AUTHENTICATED, summary="Revoke the token this request uses",
           tag="auth", errors=(400, 401))
def revoke_token():
    """Authenticate with the token to revoke; it stops working at once. Session cookies have no token."""
    if g.api_token is None:
        raise ApiError(400, "no_token", "This request is not authenticated by a token; send the token to "
                       "revoke as `Authorization: Bearer <token>`")
    with committed():
        tokens.revoke_token(g.api_token, now=utcnow())
    return "", 204


@api_route("/auth/csrf-token", "GET", permission=PUBLIC, summary="The CSRF token for cookie sessions",
           tag="auth", response="CsrfToken")
def csrf_token():
    """Browser code using the session cookie sends this as X-CSRFToken on POST/PUT/PATCH/DELETE."""
    return jsonify({"csrf_token": generate_csrf()})


@api_route("/me", "GET", permission=AUTHENTICATED, summary="The signed-in account and its permissions",
           tag="auth", response="Me", errors=(401,))
def me(user):
    """Which account the credentials belong to and what it may do."""
    return jsonify(render.user(user, sorted(ROLE_PERMISSIONS.get(user.role, ()))))
