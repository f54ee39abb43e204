"""The promotions module's function app: bonuses granted and wagering tracked from events (promotions).

Event Grid delivers FundsDeposited, BetPlaced, BetSettled and TournamentEntered (infra/modules/promotions)
to the queue `promotions-promotions`; each effect is once per event (domain/promotions.py). A money
worker: its bonuses are paid into the hosted wallet on the Wallet table (the app's role there), built on
the first grant (workers/promotion_bonuses.py, as on AWS and GCP) and guarded by player protection where
the project has it (an excluded player's grant is refused in the grant's own transaction); a settled
bet's stake is read from the ledger. In the hybrid mode (module operator_wallet) the triggers are the
operator platform's events and each bonus is credited by the operator's wallet, signed with the Key
Vault key of azure_bonuses.py (the app's role on that secret, not on any table of a wallet).
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import flush_metrics
from ..workers.promotions import apply_promotion_event
from .queues import handle

if TYPE_CHECKING:
    from ..domain.promotions import PromotionService

app = func.FunctionApp()


@cache
def promotion_service() -> PromotionService:
    """The service on the Promotions table, paying bonuses into the Wallet table (built on first use)."""
    from .. import registry
    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.table_promotions import TablePromotionStore
    from ..azure_bonuses import operator_wallet_on_azure, table_ledger
    from ..domain.promotions import PromotionService, packaged_promotions
    from ..settings import SystemClock
    from ..settings_promotions import PromotionSettings
    from ..workers.promotion_bonuses import DeferredLedger, promotion_bonuses

    publisher, clock = topic_publisher(os.environ), SystemClock()
    source = core_settings(os.environ).event_source
    # The hosted wallet's ledger, built on the first settled bet or grant (workers/promotion_bonuses.py,
    # as on AWS and GCP); in hybrid mode the operator's platform keeps the stakes.
    ledger = None if registry.enabled("operator_wallet") else DeferredLedger(table_ledger)
    return PromotionService(
        packaged_promotions(),
        TablePromotionStore(table(os.environ, PromotionSettings.from_env().promotions_table_name)),
        promotion_bonuses(ledger, publisher, clock, source, operator_wallet_on_azure),
        ledger,
        publisher,
        clock,
        f"{source}.promotions",
    )


@app.function_name("promotions")
@app.queue_trigger(arg_name="message", queue_name="promotions-promotions", connection=STORAGE_CONNECTION)
def promotions(message: func.QueueMessage) -> None:
    """Count one event towards the promotions (a malformed one raises: retried, then poisoned)."""
    try:
        handle(
            message.get_body(),
            lambda event: apply_promotion_event(event, promotion_service()),
            "promotions event",
        )
    finally:
        flush_metrics()
