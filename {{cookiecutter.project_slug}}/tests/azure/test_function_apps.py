"""The function apps' code against infra/: every function infra/ expects of an app is in that app's index.

The Python v2 model's index (FunctionApp.get_functions(): names, triggers, bindings) is what the
Functions host reads from each app's function_app.py; Core Tools cannot install offline, so the index is
read here in Python. Both ways: each function infra/ declares for an app is registered in that app's
code with the trigger, queue or schedule infra/ gives it, and the code registers nothing infra/ does not
declare (no function without its identity, queue and poison queue). What infra/ declares and the code
does not build yet is NOT_BUILT, the one list of it, each with its reason (infra/README.md names them too).
"""

from __future__ import annotations

import base64
import json

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")

import azure.functions as func
from tools.azure.function_apps import STORAGE_CONNECTION, built_apps, declared, index_of, registered

from {{ cookiecutter.package_name }}.api.azure import principal_claims, scopes_of

# (app, function) -> why its code is not built yet. A function listed here whose app is not part of
# this project is simply absent from infra/ too.
NOT_BUILT: dict[tuple[str, str], str] = {}

APPS = declared()
FUNCTIONS = sorted((app, key) for app, functions in APPS.items() for key in functions)
BUILT = built_apps()


def test_infra_declares_the_apps_and_the_code_builds_the_api_and_the_wallet_or_sessions() -> None:
    assert "api" in APPS
    assert "api" in BUILT
    assert set(APPS) >= BUILT, "an app of azure_apps/ that infra/ does not declare"


@pytest.mark.parametrize(("app", "key"), FUNCTIONS, ids=[f"{app}-{key}" for app, key in FUNCTIONS])
def test_each_function_infra_declares_is_registered_in_its_app_with_infra_s_trigger(
    app: str, key: str
) -> None:
    function = APPS[app][key]
    if (app, key) in NOT_BUILT:
        index = registered(app) if app in BUILT else {}
        assert key not in index, f"{app}/{key} is built: take it off NOT_BUILT"
        return
    assert app in BUILT, f"infra/ declares the app {app}; src/<package>/azure_apps/{app}.py is missing"
    index = registered(app)
    assert key in index, f"{app}'s function_app registers no {key}"
    binding = index[key].binding
    if function.trigger == "queue":
        assert binding["type"] == "queueTrigger"
        assert (binding["queueName"], binding["connection"]) == (function.queue, STORAGE_CONNECTION)
    elif function.trigger == "timer":
        assert binding["type"] == "timerTrigger"
        assert function.schedule, f"infra/ declares no schedule for {key}"
        assert binding["schedule"] == f"%{function.schedule_setting}%"
    else:
        assert binding["type"] == "httpTrigger"
        assert binding["route"] == "{*route}"


@pytest.mark.parametrize("app", sorted(BUILT))
def test_each_app_registers_only_what_infra_declares_for_it(app: str) -> None:
    assert set(registered(app)) <= set(APPS[app]), f"{app} registers a function infra/ gives no identity"


def principal(claims: list[dict[str, str]]) -> str:
    return base64.b64encode(json.dumps({"auth_typ": "players", "claims": claims}).encode()).decode()


def test_app_service_authentication_s_principal_becomes_the_verified_token() -> None:
    header = principal(
        [
            {
                "typ": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
                "val": "player-1",
            },
            {"typ": "scp", "val": "wallet:read profile"},
            {"typ": "roles", "val": "wallet:credit"},
            {"typ": "roles", "val": "kyc:write"},
        ]
    )

    claims = principal_claims(header)

    assert claims is not None
    assert claims["sub"] == "player-1"
    assert scopes_of(claims) == ["wallet:read", "profile", "wallet:credit", "kyc:write"]


@pytest.mark.parametrize("header", [None, "", "not base64!", base64.b64encode(b"[1]").decode(), "x" * 20000])
def test_an_unreadable_principal_is_no_token(header: str | None) -> None:
    assert principal_claims(header) is None


def test_the_api_s_http_trigger_serves_the_flask_app() -> None:
    from {{ cookiecutter.package_name }}.azure_apps import api

    response = index_of(api.app)["api"].call(
        func.HttpRequest("GET", "https://casino.example/health", headers={}, body=b""), None
    )

    assert response.status_code == 200
    assert json.loads(response.get_body())["status"] == "ok"
