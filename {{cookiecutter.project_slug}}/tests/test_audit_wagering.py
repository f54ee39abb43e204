"""The hybrid mode's controls: no wagering where the law keeps it off public clouds, the webhook's key.

On the synthetic packaged stack of tests/test_audit.py, each weakening fails the control that guards
it, naming the offender; the clean stack passes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.test_audit import audit, getatt, packaged_like, props, resources, statements
from tools.audit import config
from tools.audit.model import Status

NO_WAGERING = "no-wagering-function"
WEBHOOK_KEY = "platform-webhook-key-from-secret-store"
PLATFORM_KEY = "/casino/dev/operator-platform-key"
WALLET_KEY = "/casino/dev/operator-wallet-key"


def finding(template: dict[str, Any], tmp_path: Path, control: str) -> tuple[Status, tuple[str, ...]]:
    result = next(f for f in audit(template, tmp_path).findings if f.control.id == control)
    return result.outcome.status, result.outcome.offenders


@pytest.fixture
def wagering_kept_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack's jurisdiction keeps the wallet and player protection off public clouds (as us-nj)."""
    monkeypatch.setattr(config, "WAGERING_MODULES", ("wallet", "responsible_gaming"))
    monkeypatch.setattr(config, "WAGERING_FUNCTIONS", ("walletOutbox",))


def route(key: str) -> dict[str, Any]:
    return {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"RouteKey": key, "AuthorizationType": "JWT"}}


@pytest.mark.usefixtures("wagering_kept_off")
def test_a_stack_of_supporting_modules_passes(tmp_path: Path) -> None:
    assert finding(packaged_like(), tmp_path, NO_WAGERING) == (Status.PASS, ())


@pytest.mark.usefixtures("wagering_kept_off")
@pytest.mark.parametrize(
    ("logical_id", "resource", "offender"),
    [
        ("BetRoute", route("POST /wallet/bets"), "BetRoute (POST /wallet/bets): a route of wallet"),
        ("LimitsRoute", route("PUT /players/me/limits"), "a route of responsible_gaming"),
        (
            "WalletTable",
            {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "WalletTable: the table of wallet",
        ),
        (
            "WalletOutboxLambdaFunction",
            {"Type": "AWS::Lambda::Function", "Properties": {"Role": getatt("WorkerRole")}},
            "WalletOutboxLambdaFunction: a function of a wagering module",
        ),
    ],
)
def test_a_wagering_function_route_or_table_fails(
    tmp_path: Path, logical_id: str, resource: dict[str, Any], offender: str
) -> None:
    template = packaged_like()
    resources(template)[logical_id] = resource

    status, offenders = finding(template, tmp_path, NO_WAGERING)

    assert status is Status.FAIL
    assert any(offender in found for found in offenders), offenders


@pytest.mark.usefixtures("wagering_kept_off")
def test_a_deployed_zip_with_the_wallets_code_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / ".serverless").mkdir(parents=True)
    with zipfile.ZipFile(project / ".serverless" / "api.zip", "w") as packaged:
        packaged.writestr("casino/api/wallet.py", "")
    template = packaged_like()
    props(template, "ApiLambdaFunction")["Code"] = {"S3Key": "serverless/casino/dev/1/api.zip"}
    monkeypatch.setattr("tests.test_audit.PROJECT_ROOT", project)

    status, offenders = finding(template, tmp_path, NO_WAGERING)

    assert status is Status.FAIL
    assert offenders == ("api.zip: holds casino/api/wallet.py, code of wallet",)


def test_where_wagering_may_run_the_control_does_not_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "WAGERING_MODULES", ())
    template = packaged_like()
    resources(template)["BetRoute"] = route("POST /wallet/bets")

    assert finding(template, tmp_path, NO_WAGERING)[0] is Status.SKIP


def hybrid_stack(**environment: Any) -> dict[str, Any]:
    """The synthetic stack with the hybrid mode's settings on the api function, its key readable."""
    template = packaged_like()
    variables = props(template, "ApiLambdaFunction")["Environment"]["Variables"]
    variables.update(
        {
            "OPERATOR_PLATFORM_CLIENT_IDS": "casino-operator-platform",
            "OPERATOR_PLATFORM_KEY_PARAMETER": PLATFORM_KEY,
            "OPERATOR_WALLET_KEY_PARAMETER": WALLET_KEY,
            **environment,
        }
    )
    arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ssm:us-east-1:1:parameter", PLATFORM_KEY]]}
    statements(template, "ApiRole").append(
        {"Sid": "OperatorPlatformKeys", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": [arn]}
    )
    return template


def test_keys_named_in_the_parameter_store_pass(tmp_path: Path) -> None:
    assert finding(hybrid_stack(), tmp_path, WEBHOOK_KEY) == (Status.PASS, ())


@pytest.mark.parametrize(
    ("environment", "offender"),
    [
        (
            {"OPERATOR_PLATFORM_KEY_PARAMETER": "whsec-9f86d081884c7d659a2feaa0c55ad015"},
            "OPERATOR_PLATFORM_KEY_PARAMETER does not name an SSM parameter",
        ),
        (
            {"OPERATOR_WALLET_KEY_PARAMETER": ""},
            "OPERATOR_WALLET_KEY_PARAMETER does not name an SSM parameter",
        ),
        (
            {"OPERATOR_PLATFORM_KEY": "9f86d081884c7d659a2f"},  # pragma: allowlist secret
            "OPERATOR_PLATFORM_KEY holds a key in the environment",
        ),
        (
            {"OPERATOR_PLATFORM_KEY_PARAMETER": "/casino/dev/another-key"},
            "its role cannot read /casino/dev/another-key",
        ),
    ],
)
def test_a_key_outside_the_parameter_store_fails(
    tmp_path: Path, environment: dict[str, str], offender: str
) -> None:
    status, offenders = finding(hybrid_stack(**environment), tmp_path, WEBHOOK_KEY)

    assert status is Status.FAIL
    assert any(offender in found for found in offenders), offenders


def test_without_the_hybrid_mode_the_webhook_control_does_not_apply(tmp_path: Path) -> None:
    assert finding(packaged_like(), tmp_path, WEBHOOK_KEY)[0] is Status.SKIP
