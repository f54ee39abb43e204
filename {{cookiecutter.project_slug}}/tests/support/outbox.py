"""The wallet's outbox in tests on the local moto server: its table's stream carried to a publisher."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.aws.streams import StreamPoller

    from {{ cookiecutter.package_name }}.ports import EventPublisher


def outbox_poller(table_name: str, publisher: EventPublisher) -> StreamPoller:
    """The wallet table's stream carried to `publisher` by the walletOutbox handler's relay, as on AWS.

    `poll()` it after the money operations: the events reach `publisher` as the bus would get them.
    """
    import boto3
    from tools.aws.streams import StreamPoller

    from {{ cookiecutter.package_name }}.handlers.wallet_outbox import OutboxRelay

    class Refuse:
        def send(self, body: str) -> None:
            raise AssertionError(f"a poison outbox record: {body}")

    relay = OutboxRelay(publisher, Refuse())
    return StreamPoller(
        boto3.client("dynamodb"),
        boto3.client("dynamodbstreams"),
        table_name,
        lambda event, context: relay.relay(event["Records"]),
    )
