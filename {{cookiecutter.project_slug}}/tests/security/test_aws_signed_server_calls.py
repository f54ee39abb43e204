"""A signed server call on the AWS app with no signing key configured: refused, logged, and counted.

The other attacks on signed server calls are tests/security/test_signed_server_calls.py; this file is AWS's.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.api.aws import aws_app
from {{ cookiecutter.package_name }}.api.server_calls import PAYMENT_PROVIDER


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_key_setting_refuses_the_call_and_logs_an_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    log_lines: Callable[[], list[dict[str, Any]]],
    blank: str,
) -> None:
    for name, value in {
        "EVENT_BUS_NAME": "bus",
        "WALLET_TABLE_NAME": "wallet",
        "SESSIONS_TABLE_NAME": "sessions",
        "PAYMENT_PROVIDER_CLIENT_IDS": "payment-provider-client",
        "PAYMENT_PROVIDER_KEY_PARAMETER": blank,
    }.items():
        monkeypatch.setenv(name, value)
    api = ApiClient(aws_app())
    observability.flush_metrics()
    capsys.readouterr()

    response = api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 5_000, "currency": "EUR"})

    assert (response.status, response.error["code"]) == (503, "signing_key_missing")
    errors = [line for line in log_lines() if line.get("level") == "ERROR"]
    assert [(line["message"], line["caller"]) for line in errors] == [
        ("server call refused: no signing key configured", PAYMENT_PROVIDER)
    ]
    # The metric an alarm can watch, as an embedded-metric-format line.
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [line["SigningKeyMissing"] for line in metrics if "SigningKeyMissing" in line] == [[1.0]]


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, Any]]]:
    """The JSON log lines the app writes (metrics included), through a Powertools Logger of its own."""
    stream = io.StringIO()
    logger = Logger(service=f"log-capture-{uuid.uuid4().hex[:8]}", stream=stream)
    monkeypatch.setattr(observability, "_logger", logger)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
