"""What a bonus grant writes in the wallet's table is what the bonus-granting workers' roles allow.

IAM cannot see a transaction's expressions, only each item's action and attribute names (serverless.yml,
macro bonus_grant_iam: dynamodb:Attributes from manifest.yaml's bonus_grant_attributes). A grant that
starts writing another attribute would be refused in AWS while every local test passes: this test
records the TransactWriteItems of real grants on the moto server and compares.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from tools.audit import config

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.handlers.bonus_wallet import DeferredWallet
from {{ cookiecutter.package_name }}.settings import PACKAGE

pytestmark = pytest.mark.integration

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
# Names in an expression that are attributes: not #placeholders, :values, functions or keywords.
EXPRESSION_NAME = re.compile(r"(?<![#:\w])([A-Za-z_]\w*)\b(?!\s*\()")
KEYWORDS = {"SET", "ADD", "REMOVE", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN"}


def written_attributes(action: str, request: dict[str, Any]) -> set[str]:
    """The attribute names IAM sees for one item of a transaction (dynamodb:Attributes)."""
    if action == "Put":
        return set(request["Item"])
    names = set(request["Key"]) | set(request.get("ExpressionAttributeNames", {}).values())
    for expression in (request.get("UpdateExpression", ""), request.get("ConditionExpression", "")):
        names |= {name for name in EXPRESSION_NAME.findall(expression) if name.upper() not in KEYWORDS}
    return names


def test_a_grant_writes_only_what_the_granting_roles_may_write(aws_tables: dict[str, str]) -> None:
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    transactions: list[list[dict[str, Any]]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        transactions.append(params["TransactItems"])

    ledger.client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", record)
    wallet = DeferredWallet(lambda: ledger, InMemoryEventPublisher(), FixedClock(AT), PACKAGE)
    try:
        # A first grant opens the wallet (both balances); a second one adds to it.
        wallet.grant_bonus("player-1", "welcome", Money.of(500, "EUR"), correlation_id="c-1")
        wallet.grant_bonus("player-1", "mission-1", Money.of(100, "EUR"), correlation_id="c-2")
    finally:
        ledger.client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", record)

    assert len(transactions) == 2
    actions = {action for items in transactions for item in items for action in item}
    written = {
        name
        for items in transactions
        for item in items
        for action, request in item.items()
        if action in ("Put", "Update")
        for name in written_attributes(action, request)
    }
    assert actions <= {"Put", "Update", "ConditionCheck"}
    allowed = config.BONUS_GRANT_ATTRIBUTES
    assert written == allowed, (
        f"a grant writes {sorted(written - allowed)} beyond manifest.yaml's bonus_grant_attributes, "
        f"which lists {sorted(allowed - written)} that it never writes"
    )
