"""The promotions function: a pushed wallet or tournament event counted towards the promotions.

A bonus it earns is granted on the wallet's Firestore ledger (its BonusGranted goes out with the ledger
entry, through the outbox relay). In hybrid mode the operator's wallet credits it, over signed HTTPS
(gcp_bonuses.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import registry
from ..gcp_bonuses import firestore_ledger, operator_wallet_on_gcp
from ..gcp_push import answer, worker_step
from ..worker_events import BusEvent
from ..workers.promotion_bonuses import DeferredLedger, promotion_bonuses
from ..workers.promotions import apply_promotion_event

if TYPE_CHECKING:
    from flask import Request

    from ..domain.promotions import PromotionService

_service: PromotionService | None = None


def promotions(request: Request) -> tuple[str, int]:
    """The promotions function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), worker_step("promotions record", _apply))


def _apply(event: BusEvent) -> list[str]:
    return apply_promotion_event(event, _promotion_service())


def _promotion_service() -> PromotionService:
    """The service on GCP, built on the first push and reused while the instance lives."""
    global _service  # one set of clients per instance
    if _service is None:
        from ..adapters.firestore_promotions import FirestorePromotionStore
        from ..adapters.gcp_clients import database, event_publisher, firestore_client, gcp_settings
        from ..domain.promotions import PromotionService, packaged_promotions
        from ..settings import SystemClock

        publisher, clock, source = event_publisher(), SystemClock(), gcp_settings().event_source
        # The hosted wallet's ledger, built on the first settled bet or grant; in hybrid mode the
        # operator's platform keeps the stakes.
        ledger = None if registry.enabled("operator_wallet") else DeferredLedger(firestore_ledger)
        _service = PromotionService(
            packaged_promotions(),
            FirestorePromotionStore(database(), firestore_client()),
            promotion_bonuses(ledger, publisher, clock, source, operator_wallet_on_gcp),
            ledger,
            publisher,
            clock,
            f"{source}.promotions",
        )
    return _service
