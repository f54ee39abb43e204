"""The promotions routes' service on GCP, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.promotions import PromotionBoard


def gcp_promotion_board(services: Services) -> PromotionBoard:
    """The routes' board on GCP: the packaged rules, and grants in the casino database."""
    from ..adapters.firestore_promotions import FirestorePromotionStore
    from ..adapters.gcp_clients import database, firestore_client
    from ..domain.promotions import PromotionBoard, packaged_promotions
    from ..settings import SystemClock

    return PromotionBoard(
        packaged_promotions(), FirestorePromotionStore(database(), firestore_client()), SystemClock()
    )


SERVICE = ModuleService(gcp_promotion_board)
