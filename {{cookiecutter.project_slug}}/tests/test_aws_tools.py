"""The AWS flavour's local tools (tools/aws/): the stack read from serverless.yml, DynamoDB writes counted.

The neutral tools' tests (tests/test_demo.py, tests/test_bench.py) drive them end to end; these pin what
only the AWS reading of the stack and of the counted requests decides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tools.aws.bench import request_row
from tools.aws.stack import LOCAL_TYPES, QUEUE, load, packaged_is_current

from {{ cookiecutter.package_name }} import registry


def test_local_run_reads_the_stack_from_serverless_yml() -> None:
    stack = load("dev", "serverless.yml")

    created = {k: r for k, r in stack.resources.items() if r["Type"] in LOCAL_TYPES}
    assert "${" not in json.dumps([r["Properties"].get("TableName", "") for r in created.values()])
    assert stack.api.handler == "wsgi_handler.handler"
    for worker in stack.workers:
        assert all(stack.resources[source.queue]["Type"] == QUEUE for source in worker.sources)
    if registry.enabled("sessions"):
        assert "sessionActivity" in {worker.name for worker in stack.workers}


@pytest.mark.parametrize(
    ("requests", "met"),
    [
        (["dynamodb.GetItem", "dynamodb.TransactWriteItems"], True),
        (["dynamodb.TransactWriteItems"], True),
        (["dynamodb.GetItem", "dynamodb.TransactWriteItems", "eventbridge.PutEvents"], False),
        (["dynamodb.TransactWriteItems", "dynamodb.PutItem"], False),
        (["dynamodb.GetItem", "dynamodb.GetItem"], False),
    ],
)
def test_a_money_operation_meets_its_target_with_one_write_in_two_requests(
    requests: list[str], met: bool
) -> None:
    assert request_row("bet", requests)["met"] is met
    assert request_row("sign-in", requests)["met"] is None  # not a money operation: no target


def test_a_package_of_another_stage_is_not_the_current_stack(tmp_path: Path) -> None:
    """`make audit` leaves the last stage's package (prod): a dev run reads serverless.yml, not prod's."""
    config, template, state = tmp_path / "serverless.yml", tmp_path / "template.json", tmp_path / "state.json"
    config.write_text("service: x\n", encoding="utf-8")
    template.write_text("{}", encoding="utf-8")
    state.write_text(json.dumps({"service": {"provider": {"stage": "prod"}}}), encoding="utf-8")
    os.utime(config, (1, 1))  # the package is newer than serverless.yml

    assert packaged_is_current("prod", template=template, state=state, config=config)
    assert not packaged_is_current("dev", template=template, state=state, config=config)
    state.unlink()
    assert not packaged_is_current("prod", template=template, state=state, config=config)
