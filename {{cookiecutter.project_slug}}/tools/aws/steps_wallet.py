"""The wallet's steps on the AWS local run: its ledger store on the moto server's wallet table."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore
from {{ cookiecutter.package_name }}.settings import Settings


def api_settings(run: Any) -> Settings:
    """The API's settings in `run` (its function's environment)."""
    return Settings.from_env(run.api_environment())


def ledger_store(run: Any, settings: Settings) -> LedgerStore:
    """The DynamoDB ledger store the API of `run` writes (tools/modules/wallet.py reconciles it)."""
    return DynamoLedgerStore(settings.wallet_table_name, client=run.client("dynamodb"))
