"""The local moto server under sustained load: a transaction must not copy its tables.

moto 5 backs each TransactWriteItems up by deep-copying every table it names, and every copy stays
reachable from moto's instance registry: memory grew with the square of the transactions (a table of
2,000 ledger entries after 2,000 bets: 7 GB). tests/support/moto_server.py snapshots only the items
a transaction touches; these tests pin that, and that a cancelled transaction still leaves nothing.
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.moto_server import MotoServer, SerializedDynamoDB

TRANSACTIONS = 20


def create_ledger_table(client: Any) -> str:
    """A table shaped like the wallet's (pk, sk), with a stream as the outbox relay reads it."""
    name = f"moto-load-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.put_item(TableName=name, Item={"pk": {"S": "P"}, "sk": {"S": "BALANCE"}, "cash": {"N": "0"}})
    return name


@pytest.fixture
def ledger_table(dynamodb_client: Any) -> Iterator[str]:
    name = create_ledger_table(dynamodb_client)
    yield name
    dynamodb_client.delete_table(TableName=name)


def tracked_tables(server: MotoServer) -> int:
    """How many DynamoDB table objects moto keeps (its model registry, the dashboard's data)."""
    with urllib.request.urlopen(server.endpoint_url + "/moto-api/data.json", timeout=30) as answer:  # noqa: S310 - local http
        models: dict[str, Any] = json.load(answer).get("dynamodb", {})
    return len(models.get("Table", []))


def bet(client: Any, table: str, number: int, amount: int = 1) -> None:
    """A ledger entry written if absent, and the balance moved: one transaction, as the wallet's."""
    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {"pk": {"S": "P"}, "sk": {"S": f"ENTRY#{number}"}, "amount": {"N": str(amount)}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "P"}, "sk": {"S": "BALANCE"}},
                    "UpdateExpression": "ADD cash :amount",
                    "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
                }
            },
        ]
    )


def stream_records(client: Any, streams: Any, table: str) -> list[dict[str, Any]]:
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return records


def test_a_transaction_copies_no_table() -> None:
    # A server of its own: the registry then holds only this test's models (the session's server
    # holds every other test's too, some of which moto's dashboard cannot serialize).
    import boto3

    server = MotoServer().start()
    try:
        client = boto3.client("dynamodb", endpoint_url=server.endpoint_url)
        table = create_ledger_table(client)
        before = tracked_tables(server)

        for number in range(TRANSACTIONS):
            bet(client, table, number)

        # Before the fix every transaction added copies of its tables for good (41 after 20); moto may
        # register one object of its own at the first transaction, never one per transaction.
        assert tracked_tables(server) - before <= 1
    finally:
        server.stop()


def test_a_cancelled_transaction_leaves_its_items_and_the_stream_as_they_were(
    dynamodb_client: Any, ledger_table: str
) -> None:
    import boto3

    streams = boto3.client("dynamodbstreams")
    bet(dynamodb_client, ledger_table, 1, amount=5)
    records_before = stream_records(dynamodb_client, streams, ledger_table)

    # Entry 2 is new and the balance moves first; the replayed entry 1 then fails its condition.
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb_client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": ledger_table,
                        "Item": {"pk": {"S": "P"}, "sk": {"S": "ENTRY#2"}, "amount": {"N": "7"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": ledger_table,
                        "Key": {"pk": {"S": "P"}, "sk": {"S": "BALANCE"}},
                        "UpdateExpression": "ADD cash :amount",
                        "ExpressionAttributeValues": {":amount": {"N": "7"}},
                    }
                },
                {
                    "Put": {
                        "TableName": ledger_table,
                        "Item": {"pk": {"S": "P"}, "sk": {"S": "ENTRY#1"}, "amount": {"N": "7"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    def item(sort_key: str) -> dict[str, Any] | None:
        key = {"pk": {"S": "P"}, "sk": {"S": sort_key}}
        found: dict[str, Any] | None = dynamodb_client.get_item(TableName=ledger_table, Key=key).get("Item")
        return found

    assert item("ENTRY#2") is None
    assert item("BALANCE") == {"pk": {"S": "P"}, "sk": {"S": "BALANCE"}, "cash": {"N": "5"}}
    assert item("ENTRY#1") == {"pk": {"S": "P"}, "sk": {"S": "ENTRY#1"}, "amount": {"N": "5"}}
    # A cancelled transaction writes no stream record: the outbox relay must not see it.
    assert stream_records(dynamodb_client, streams, ledger_table) == records_before
    bet(dynamodb_client, ledger_table, 3, amount=2)
    assert item("BALANCE") == {"pk": {"S": "P"}, "sk": {"S": "BALANCE"}, "cash": {"N": "7"}}


@pytest.mark.parametrize(
    "target", ["DynamoDB_20120810.TransactWriteItems", "DynamoDBStreams_20120810.GetRecords"]
)
def test_a_stream_read_waits_for_the_transaction_in_progress(target: str) -> None:
    """moto writes a transaction's items (and their stream records) one by one and takes them back if it
    is cancelled: a stream read served meanwhile would see a write that never happened (the outbox relay
    then published a refused bet's BetPlaced). Stream reads wait for DynamoDB's lock too."""
    served = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        served.set()
        return [b"{}"]

    middleware = SerializedDynamoDB(app)
    request = threading.Thread(
        target=lambda: middleware({"HTTP_X_AMZ_TARGET": target}, lambda *args: None), daemon=True
    )
    with middleware.lock:  # a transaction in progress
        request.start()
        assert not served.wait(0.3), f"{target} was served while a transaction held the table"
    request.join(timeout=5)
    assert served.is_set()
