"""The api function reads a verified token's claims from API Gateway's X-Apigateway-Api-Userinfo only.

API Gateway validates the token and replaces any such header a caller sent; the function's only invoker
is the gateway (api/gcp.py). What the app must do is read that header and nothing else: a claim a caller
put in the WSGI environ, a header that is not base64url JSON of an object, or one far too long, gives
no claims, and the routes answer 401 (through the api function: tests/gcp/test_sessions_functions.py).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.gcp.functions import userinfo

from {{ cookiecutter.package_name }}.api.gcp import (
    AUTHORIZER_KEY,
    MAX_USERINFO_BYTES,
    userinfo_claims,
    with_userinfo,
)


def test_scopes_come_from_the_scope_claim_and_replace_what_the_environ_held() -> None:
    claims = {"sub": "payments", "client_id": "payments", "scope": "wallet:credit players:kyc"}
    environ: dict[str, Any] = {
        "HTTP_X_APIGATEWAY_API_USERINFO": userinfo(claims),
        AUTHORIZER_KEY: {"jwt": {"claims": {"sub": "someone-else"}, "scopes": ["admin"]}},
    }

    with_userinfo(environ)

    assert environ[AUTHORIZER_KEY] == {"jwt": {"claims": claims, "scopes": ["wallet:credit", "players:kyc"]}}


def test_a_padded_header_is_read_too() -> None:
    padded = base64.urlsafe_b64encode(json.dumps({"sub": "p-1"}).encode()).decode()
    assert padded.endswith("=")

    environ = with_userinfo({"HTTP_X_APIGATEWAY_API_USERINFO": padded})

    assert environ[AUTHORIZER_KEY]["jwt"]["claims"] == {"sub": "p-1"}


def test_an_unreadable_or_oversized_header_gives_no_claims() -> None:
    assert userinfo_claims("not base64url!") is None
    assert userinfo_claims(base64.urlsafe_b64encode(b"not json").decode()) is None
    assert userinfo_claims(base64.urlsafe_b64encode(b'["p-1"]').decode()) is None
    assert userinfo_claims(userinfo({"sub": "p-1", "padding": "x" * MAX_USERINFO_BYTES})) is None
    assert userinfo_claims(None) is None


def test_without_a_header_a_value_a_caller_put_in_the_environ_is_removed() -> None:
    environ = with_userinfo(
        {AUTHORIZER_KEY: {"jwt": {"claims": {"sub": "p-1"}, "scopes": ["wallet:credit"]}}}
    )

    assert AUTHORIZER_KEY not in environ
