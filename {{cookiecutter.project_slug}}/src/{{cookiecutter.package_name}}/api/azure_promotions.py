"""The promotions routes' service on Azure, built on the first request to those routes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.promotions import PromotionBoard


def azure_promotion_board(services: Services) -> PromotionBoard:
    """The routes' board on Azure: the packaged rules, and grants in the Promotions table."""
    from ..adapters.azure_environment import table
    from ..adapters.table_promotions import TablePromotionStore
    from ..domain.promotions import PromotionBoard, packaged_promotions
    from ..settings import SystemClock
    from ..settings_promotions import PromotionSettings

    name = PromotionSettings.from_env().promotions_table_name
    return PromotionBoard(packaged_promotions(), TablePromotionStore(table(os.environ, name)), SystemClock())


SERVICE = ModuleService(azure_promotion_board)
