"""The API Gateway's config (infra/gateway/openapi.yaml.tftpl) lists every route of the app, each with
the token the app's contract (api/openapi.yaml) names, and is the OpenAPI 2.0 document API Gateway reads.

The gateway checks the tokens (issuer, signature, audience, expiry) before the API function is called,
as the AWS flavour's HTTP API authorizers do; a route missing here would be refused by the gateway, a
route here without its security would reach the app without a checked token.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV2SpecValidator, validate
from tests.api.contract import app_operations, documented_operations
from tests.api.contract import document as contract
from tests.gcp.functions import ROOT

from {{ cookiecutter.package_name }}.api.gcp import app

TEMPLATE = ROOT / "infra" / "gateway" / "openapi.yaml.tftpl"
GATEWAY_TF = ROOT / "infra" / "gateway.tf"
# Terraform's templatefile fills these in (gateway.tf); the rest of the template is plain YAML.
PLACEHOLDER = re.compile(r"\$\{jsonencode\((\w+)\)\}")
VALUES = {
    "backend_url": "https://casino-api-abc123-ew.a.run.app",
    "player_issuer": "https://auth.example.com/",
    "player_jwks_uri": "https://auth.example.com/.well-known/jwks.json",
    "player_audiences": "casino-api",
    "server_issuer": "https://servers.auth.example.com/",
    "server_jwks_uri": "https://servers.auth.example.com/.well-known/jwks.json",
    "server_audiences": "casino-payment-provider,casino-game-server",
    "platform_issuer": "https://operator.auth.example.com/",
    "platform_jwks_uri": "https://operator.auth.example.com/.well-known/jwks.json",
    "platform_audiences": "casino-operator-platform",
}
OPERATIONS = ("get", "put", "post", "delete", "patch")


def rendered(values: dict[str, str]) -> dict[str, Any]:
    """The document as Terraform writes it: each ${jsonencode(name)} a JSON string."""
    template = TEMPLATE.read_text(encoding="utf-8")
    text = PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)]), template)
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@pytest.fixture(scope="module")
def gateway() -> dict[str, Any]:
    return rendered(VALUES)


def security_by_operation(document: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(METHOD, path) of every operation but the CORS preflights, with the security schemes it requires."""
    default = document.get("security", [])
    return {
        (method.upper(), path): {name for needed in item.get("security", default) for name in needed}
        for path, operations in document["paths"].items()
        for method, item in operations.items()
        if method in OPERATIONS
    }


def test_the_gateway_config_is_valid_openapi_2(gateway: dict[str, Any]) -> None:
    """Valid but for the empty authorizationUrl of Google's examples (API Gateway reads none; the
    OpenAPI 2.0 schema wants a URI there): checked with the issuer in its place."""
    definitions = gateway["securityDefinitions"]
    assert {definition["authorizationUrl"] for definition in definitions.values()} == {""}
    checked = copy.deepcopy(gateway)
    for definition in checked["securityDefinitions"].values():
        definition["authorizationUrl"] = definition["x-google-issuer"]

    validate(checked, cls=OpenAPIV2SpecValidator)

    assert gateway["swagger"] == "2.0"


def test_every_route_of_the_app_is_a_gateway_route_and_the_reverse(gateway: dict[str, Any]) -> None:
    routes = app_operations(app)

    assert routes == documented_operations()  # the app's contract, kept true by tests/api/test_contract.py
    assert sorted(routes - set(security_by_operation(gateway))) == [], "routes the gateway would refuse"
    assert sorted(set(security_by_operation(gateway)) - routes) == [], "gateway routes the app does not have"


def test_each_route_takes_the_token_the_contract_names(gateway: dict[str, Any]) -> None:
    security, contracted = security_by_operation(gateway), security_by_operation(contract())

    assert {operation: security[operation] for operation in contracted} == contracted
    assert security[("GET", "/health")] == set()
    assert all(schemes for operation, schemes in security.items() if operation != ("GET", "/health"))


def test_only_the_players_routes_answer_a_browsers_preflight(gateway: dict[str, Any]) -> None:
    """A CORS preflight carries no token: the gateway lets it through to the app on the players' routes."""
    security = security_by_operation(gateway)
    player_paths = {path for (_, path), schemes in security.items() if schemes == {"playerJwt"}}
    preflights = {path for path, operations in gateway["paths"].items() if "options" in operations}

    assert preflights == player_paths
    assert all(gateway["paths"][path]["options"]["security"] == [] for path in preflights)


def test_the_token_checks_are_terraforms_variables(gateway: dict[str, Any]) -> None:
    definitions = gateway["securityDefinitions"]
    player = definitions["playerJwt"]

    assert (player["x-google-issuer"], player["x-google-jwks_uri"], player["x-google-audiences"]) == (
        VALUES["player_issuer"],
        VALUES["player_jwks_uri"],
        VALUES["player_audiences"],
    )
    if "serverJwt" in definitions:
        assert definitions["serverJwt"]["x-google-issuer"] == VALUES["server_issuer"]
        assert definitions["serverJwt"]["x-google-audiences"] == VALUES["server_audiences"]
    if "platformJwt" in definitions:  # the hybrid mode's webhook: the operator's platform only
        assert definitions["platformJwt"]["x-google-issuer"] == VALUES["platform_issuer"]
        assert definitions["platformJwt"]["x-google-audiences"] == VALUES["platform_audiences"]
    # The gateway calls the function with an ID token for its URL, keeping each request's path.
    assert gateway["x-google-backend"] == {
        "address": VALUES["backend_url"],
        "jwt_audience": VALUES["backend_url"],
        "path_translation": "APPEND_PATH_TO_ADDRESS",
        "deadline": 30.0,
    }
    assert gateway["x-google-allow"] == "configured"


def test_terraform_fills_in_every_value_the_template_names() -> None:
    """templatefile fails on a name it is not given: gateway.tf gives each one the template uses."""
    template = TEMPLATE.read_text(encoding="utf-8")
    call = GATEWAY_TF.read_text(encoding="utf-8").split("templatefile(", 1)[1].split("})", 1)[0]
    given = set(re.findall(r"^\s*(\w+)\s*=", call, re.MULTILINE))

    assert set(PLACEHOLDER.findall(template)) <= given
    assert "%{" not in template
    assert not re.search(r"\$\{(?!jsonencode\(\w+\)\})", template)
