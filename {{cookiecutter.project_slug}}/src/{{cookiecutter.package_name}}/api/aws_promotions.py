"""The promotions routes' service on AWS, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.promotions import PromotionBoard


def aws_promotion_board(services: Services) -> PromotionBoard:
    """The routes' board on AWS: the packaged rules, and grants in the promotions table."""
    from ..adapters.dynamodb_promotions import DynamoPromotionStore
    from ..domain.promotions import PromotionBoard, packaged_promotions
    from ..settings import SystemClock
    from ..settings_promotions import PromotionSettings

    table = PromotionSettings.from_env().promotions_table_name
    return PromotionBoard(packaged_promotions(), DynamoPromotionStore(table), SystemClock())


SERVICE = ModuleService(aws_promotion_board)
