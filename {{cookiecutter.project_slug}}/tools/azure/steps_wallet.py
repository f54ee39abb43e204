"""The wallet's steps on the Azure local run: its ledger on Azurite's Wallet table, its outbox's backlog."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.table_wallet import (
    OUTBOX_PENDING,
    PAST_OUTBOX_PENDING,
    TableLedgerStore,
)
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore
from {{ cookiecutter.package_name }}.settings import Settings

# What unfinished_messages calls the entries the outbox relay has not published yet.
OUTBOX = "wallet outbox (entries not relayed yet)"


def core_settings(run: Any) -> Settings:
    """The core settings the API of `run` reads (the topic's endpoint where AWS has the bus's name)."""
    from {{ cookiecutter.package_name }}.adapters.azure_environment import (
        core_settings as from_app_settings,
    )

    return from_app_settings(run.api_environment())


def ledger_store(run: Any, settings: Settings) -> LedgerStore:
    """The Table Storage ledger the API of `run` writes (tools/modules/wallet.py reconciles it)."""
    return TableLedgerStore(run.client("table").get_table_client(settings.wallet_table_name))


def unfinished(run: Any) -> dict[str, int]:
    """Ledger entries whose events the outbox relay (walletOutbox, a timer) has not published yet."""
    table = run.client("table").get_table_client(run.app_environment("wallet")["WALLET_TABLE_NAME"])
    pending = table.query_entities(
        "RowKey ge @first and RowKey lt @past",
        parameters={"first": OUTBOX_PENDING, "past": PAST_OUTBOX_PENDING},
        select=["RowKey"],
    )
    return {OUTBOX: sum(1 for _ in pending)}
