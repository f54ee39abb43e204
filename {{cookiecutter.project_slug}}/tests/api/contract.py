"""The API's OpenAPI document (api/openapi.yaml), and a check of one answer against it.

ApiClient checks every answer of the API tests here: the operation must be in the document, the
status among its responses, and the body valid against that response's schema.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import HTTPException

PACKAGE = "{{ cookiecutter.package_name }}"
DOCUMENT_URI = "urn:{{ cookiecutter.package_name }}:openapi"
# Methods that are not operations: the HTTP API answers OPTIONS (CORS), Flask adds HEAD to GET.
NOT_OPERATIONS = {"HEAD", "OPTIONS"}


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document shipped in the package."""
    text = resources.files(PACKAGE).joinpath("api", "openapi.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /players/<player_id>/kyc -> /players/{player_id}/kyc."""
    return rule.replace("<", "{").replace(">", "}")


def app_operations(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route of the app."""
    return {
        (method, openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in NOT_OPERATIONS
    }


def documented_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation of the document."""
    return {
        (method.upper(), path)
        for path, item in document()["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }


def contract_violations(app: Flask, method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with one answer, by the document (nothing: it is in the contract)."""
    if method in NOT_OPERATIONS:
        return []
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(path, method=method, return_rule=True)
    except HTTPException:
        # No such route or method: the answer is still an error in the API's format.
        return _invalid(body, "/components/schemas/Error", f"{method} {path} -> {status}")
    operation = f"{method} {openapi_path(rule.rule)}"
    item = document()["paths"].get(openapi_path(rule.rule), {}).get(method.lower())
    if item is None:
        return [f"{operation} is not in the OpenAPI document"]
    if status >= 500 and status not in _statuses(item):
        # An unexpected error is never in a contract; its body still is the API's error format.
        return _invalid(body, "/components/schemas/Error", f"{operation} -> {status}")
    if str(status) not in item["responses"]:
        return [f"{operation} answered {status}, which the document does not list"]
    pointer = _schema_pointer(item["responses"][str(status)], openapi_path(rule.rule), method, status)
    if pointer is None:
        return [] if body is None else [f"{operation} -> {status} has a body the document does not describe"]
    return _invalid(body, pointer, f"{operation} -> {status}")


def _statuses(item: dict[str, Any]) -> set[int]:
    return {int(status) for status in item["responses"]}


def _schema_pointer(response: dict[str, Any], path: str, method: str, status: int) -> str | None:
    """The JSON pointer of a response's JSON schema in the document (None: no body)."""
    if "$ref" in response:
        base = response["$ref"].removeprefix("#")
        response = _resolve(base)
    else:
        escaped = path.replace("~", "~0").replace("/", "~1")
        base = f"/paths/{escaped}/{method.lower()}/responses/{status}"
    if "application/json" not in response.get("content", {}):
        return None
    return f"{base}/content/application~1json/schema"


def _resolve(pointer: str) -> dict[str, Any]:
    node: Any = document()
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    resolved: dict[str, Any] = node
    return resolved


@functools.cache
def _registry() -> Registry:
    resource = Resource.from_contents(document(), default_specification=DRAFT202012)
    registry: Registry = Registry().with_resource(DOCUMENT_URI, resource)
    return registry


@functools.cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=_registry())


def _invalid(body: Any, pointer: str, what: str) -> list[str]:
    errors = _validator(pointer).iter_errors(body)
    return [f"{what}: {error.message} at {list(error.absolute_path)}" for error in errors]
