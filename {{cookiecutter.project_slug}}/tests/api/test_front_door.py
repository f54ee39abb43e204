"""The edge's front door: with the edge on, a request that went around CloudFront is refused.

The HTTP API's own execute-api address stays on the internet; CloudFront adds a secret header to every
request it forwards (docs/networking.md). These tests send HTTP API events through serverless-wsgi as
Lambda does, to the AWS app built from the environment the stack gives the api function.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import boto3
import pytest
import serverless_wsgi
from tests.api.http_api import http_event
from tools.aws.stack import LocalStack, load

from {{ cookiecutter.package_name }}.adapters.secrets_manager import (
    SecretUnavailable,
    SecretVersions,
)
from {{ cookiecutter.package_name }}.api.aws import aws_app
from {{ cookiecutter.package_name }}.api.origin import FrontDoor
from {{ cookiecutter.package_name }}.settings import SettingsError
from {{ cookiecutter.package_name }}.settings_api import FrontDoorSettings

HEADER = "x-origin-verify"
SECRET = "edge-secret-of-cloudfront-0000000000000000000000000000000000000000"  # pragma: allowlist secret
PREVIOUS = "edge-secret-before-rotation-00000000000000000000000000000000000000"  # pragma: allowlist secret


class StoredSecret:
    """Secrets Manager's GetSecretValue for one secret's versions, by staging label."""

    def __init__(self, **versions: str) -> None:
        self.versions = versions
        self.reads = 0

    def get_secret_value(self, SecretId: str, VersionStage: str) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        self.reads += 1
        if VersionStage not in self.versions:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": VersionStage}}
            raise ClientError(error, "GetSecretValue")  # type: ignore[arg-type]
        return {"Name": SecretId, "SecretString": self.versions[VersionStage]}


def status_of(app: Any, headers: dict[str, str] | None = None, path: str = "/health") -> int:
    event = http_event("GET", path, player=None, headers=headers)
    status: int = serverless_wsgi.handle_request(app, event, {"function_name": "api"})["statusCode"]
    return status


@pytest.fixture
def edge_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The AWS app of a stage with the edge on, its secret read from a stand-in of Secrets Manager."""
    monkeypatch.setenv("ORIGIN_VERIFY_HEADER", HEADER)
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET_ID", "casino/prod/edge-origin")
    stored = StoredSecret(AWSCURRENT=SECRET, AWSPREVIOUS=PREVIOUS)
    monkeypatch.setattr(SecretVersions, "client", property(lambda self: stored))
    return aws_app()


def test_a_request_without_the_edges_header_is_refused(edge_app: Any) -> None:
    assert status_of(edge_app) == 403


def test_a_request_with_a_wrong_header_is_refused(edge_app: Any) -> None:
    assert status_of(edge_app, {HEADER: SECRET[:-1] + "1"}) == 403
    assert status_of(edge_app, {HEADER: ""}) == 403
    assert status_of(edge_app, {HEADER.upper(): SECRET + " "}) == 403


def test_a_refused_request_reaches_no_route(edge_app: Any) -> None:
    event = http_event("GET", "/no-such-route", player=None)
    response = serverless_wsgi.handle_request(edge_app, event, {"function_name": "api"})

    assert response["statusCode"] == 403
    assert '"code": "forbidden"' in response["body"] or '"code":"forbidden"' in response["body"]


def test_a_request_through_cloudfront_is_served(edge_app: Any) -> None:
    assert status_of(edge_app, {HEADER: SECRET}) == 200


def test_the_previous_secret_is_accepted_during_a_rotation(edge_app: Any) -> None:
    assert status_of(edge_app, {HEADER: PREVIOUS}) == 200


def test_without_the_edge_nothing_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORIGIN_VERIFY_HEADER", raising=False)
    monkeypatch.delenv("ORIGIN_VERIFY_SECRET_ID", raising=False)

    assert status_of(aws_app()) == 200


def test_the_local_run_has_no_edge_and_checks_no_header() -> None:
    """`make dev` runs serverless.yml's dev stage: its edge param is off, so both settings are blank."""
    dev = load(stage="dev", source="serverless.yml")
    local = LocalStack(dev)
    environment = dev.api.environment

    assert local.condition("Edge") is False
    assert local.resolve(environment["ORIGIN_VERIFY_HEADER"]) == ""
    assert local.resolve(environment["ORIGIN_VERIFY_SECRET_ID"]) == ""
    with_edge = LocalStack(dataclasses.replace(dev, conditions={"Edge": {"Fn::Equals": [True, True]}}))
    assert with_edge.resolve(environment["ORIGIN_VERIFY_HEADER"]) == HEADER


@pytest.mark.parametrize("missing", ["ORIGIN_VERIFY_HEADER", "ORIGIN_VERIFY_SECRET_ID"])
def test_half_a_front_door_refuses_to_start(missing: str) -> None:
    environ = {"ORIGIN_VERIFY_HEADER": HEADER, "ORIGIN_VERIFY_SECRET_ID": "casino/prod/edge-origin"}
    environ[missing] = " "

    with pytest.raises(SettingsError, match=missing):
        FrontDoorSettings.from_env(environ)


def test_an_unreadable_secret_refuses_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORIGIN_VERIFY_HEADER", HEADER)
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET_ID", "casino/prod/edge-origin")
    monkeypatch.setattr(SecretVersions, "client", property(lambda self: StoredSecret()))

    assert status_of(aws_app(), {HEADER: SECRET}) == 500


def test_the_secret_is_read_once_while_it_is_fresh() -> None:
    stored = StoredSecret(AWSCURRENT=SECRET)
    now = [0.0]
    versions = SecretVersions("casino/prod/edge-origin", client=stored, monotonic=lambda: now[0])
    door = FrontDoor(HEADER, versions.values)

    assert door.admits(SECRET)
    assert door.admits(SECRET)
    assert not door.admits(PREVIOUS)
    assert stored.reads == 2  # AWSCURRENT, and AWSPREVIOUS (absent outside a rotation)
    now[0] += 301
    assert door.admits(SECRET)
    assert stored.reads == 4


def test_a_missing_secret_is_named() -> None:
    versions = SecretVersions("casino/prod/edge-origin", client=StoredSecret())

    with pytest.raises(SecretUnavailable, match="casino/prod/edge-origin"):
        versions.values()


@pytest.mark.integration
def test_secret_versions_read_a_rotated_secret_from_secrets_manager(moto_server: Any) -> None:
    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="casino/test/edge-origin", SecretString=PREVIOUS)["ARN"]
    client.put_secret_value(SecretId=arn, SecretString=SECRET)

    assert set(SecretVersions(arn).values()) == {SECRET, PREVIOUS}
