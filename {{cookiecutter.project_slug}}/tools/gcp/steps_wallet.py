"""The wallet's steps on the GCP local run: its ledger store on the Firestore emulator's casino database."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore
from {{ cookiecutter.package_name }}.settings import Settings


def core_settings(run: Any) -> Settings:
    """The API's settings in `run`, as the api function reads them on GCP."""
    from {{ cookiecutter.package_name }}.adapters.gcp_clients import gcp_settings

    return gcp_settings(run.api_environment())


def ledger_store(run: Any, settings: Settings) -> LedgerStore:
    """The Firestore ledger store the API of `run` writes (tools/modules/wallet.py reconciles it)."""
    return FirestoreLedgerStore(run.api_environment()["FIRESTORE_DATABASE"], client=run.client("firestore"))
