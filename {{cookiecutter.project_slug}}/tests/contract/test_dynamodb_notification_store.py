"""The DynamoDB notification store's own records; the behaviour every store shares is
tests/contract/test_notification_store_contract.py, this file is AWS's.
"""

from __future__ import annotations

import time

import pytest
from tests.contract.test_notification_store_contract import claim

from {{ cookiecutter.package_name }}.adapters.dynamodb_notifications import DynamoNotificationStore
from {{ cookiecutter.package_name }}.domain.notifications import Delivery


@pytest.mark.integration
def test_delivery_markers_expire_after_the_dead_letter_queue_forgets_the_event(
    aws_tables: dict[str, str], dynamodb_client: object
) -> None:
    store = DynamoNotificationStore(aws_tables["NotificationsTable"])
    claim(store)
    store.mark_done("event-1", Delivery.SENT)

    marker = store.client.get_item(
        TableName=aws_tables["NotificationsTable"],
        Key={"pk": {"S": "NOTIFICATION#event-1"}, "sk": {"S": "DELIVERY"}},
    )["Item"]
    # Longer than the dead-letter queue keeps a message (14 days), so a redrive is still deduplicated.
    fifteen_days = 15 * 24 * 3600
    assert abs(int(marker["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60
