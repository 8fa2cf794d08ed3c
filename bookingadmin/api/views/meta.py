"""The API describing itself."""
from __future__ import annotations

from flask import jsonify

from ..openapi import build_document
from ..routing import PUBLIC, api_route


@api_route("/openapi.json", "GET", permission=PUBLIC, summary="This document (OpenAPI 3.1)", tag="meta")
def openapi_document():
    """Generated from the route declarations, so it lists exactly the routes that exist."""
    return jsonify(build_document())
