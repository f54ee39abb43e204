"""The promotions worker with player protection: grants refused to excluded players, acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from tests.handlers.test_promotions_worker import (
    PLAYER,
    PROMOTIONS_SOURCE,
    RULES,
    WALLET_SOURCE,
    tournament_entered,
)
from tests.support.bus import eventbridge_body, sqs_event
from tests.support.outbox import outbox_poller
from tests.support.tables import stack_environment

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import CURRENCY, LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.promotions import HostedBonusWallet, PromotionService
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import promotions as worker

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"


def exclude(protection: ProtectionService, player_id: str, how: str) -> None:
    if how == "self-excluded":
        protection.self_exclude(player_id, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off(player_id, LIMITS_POLICY.cool_off_hours, correlation_id="e")


def outcomes(caplog: pytest.LogCaptureFixture) -> list[object]:
    return [
        getattr(record, "outcome", None) for record in caplog.records if record.msg == "promotions record"
    ]


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off"])
def test_a_grant_refused_for_an_excluded_player_is_acknowledged_and_not_recorded(
    clock: FixedClock, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    store, publisher = InMemoryPromotionStore(), InMemoryEventPublisher()
    ledger = InMemoryLedgerStore(relay=publisher)
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
        KycStatus,
        ProtectionService,
    )

    protection = ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    service = PromotionService(
        RULES, store, HostedBonusWallet(wallet), ledger, publisher, clock, PROMOTIONS_SOURCE
    )
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")
    deposited = eventbridge_body(publisher.events[-1])
    exclude(protection, PLAYER, how)
    publisher.events.clear()
    caplog.clear()

    result = worker.process_batch(sqs_event(deposited, tournament_entered()), service)

    assert result == {"batchItemFailures": []}
    assert outcomes(caplog) == [
        ["welcome: skipped: player excluded"],
        ["tournament: skipped: player excluded"],
    ]
    assert store.grants(PLAYER) == []
    assert wallet.balance(PLAYER).bonus == 0  # type: ignore[union-attr]
    assert publisher.events == []


@pytest.mark.integration
def test_the_workers_own_wallet_refuses_bonuses_to_excluded_players_on_dynamodb(
    aws_tables: dict[str, str], events_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Imported here: this file stays (uncollected) in a project without the wallet or player protection.
    # One import per block: ruff sorts a module the project lacks as third-party, which would reorder them.
    from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore

    stack_environment(monkeypatch, events_client, aws_tables)
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

    monkeypatch.setattr(worker, "_service", None)  # the handler builds its own, as on Lambda
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    setup = InMemoryEventPublisher()
    # The deposits are made before the exclusion, by a wallet of the test's own.
    deposits = Wallet(ledger, FixedClock(datetime.now(UTC)), WALLET_SOURCE)
    currency = CURRENCY
    for player_id in (PLAYER, "player-2"):
        deposits.deposit(player_id, f"dep-{player_id}", Money.of(4_000, currency), correlation_id="c")
    outbox_poller(aws_tables["WalletTable"], setup).poll()
    bodies = [eventbridge_body(event) for event in setup.events]
    exclude(
        ProtectionService(ledger, setup, FixedClock(datetime.now(UTC)), PROTECTION_SOURCE),
        PLAYER,
        "self-excluded",
    )

    result = worker.handler(sqs_event(*bodies), object())

    assert result == {"batchItemFailures": []}
    excluded, other = ledger.balance(PLAYER), ledger.balance("player-2")
    assert excluded is not None
    assert other is not None
    assert (excluded.bonus, other.bonus) == (0, 4_000)
    assert DynamoPromotionStore(aws_tables["PromotionsTable"]).grants(PLAYER) == []
