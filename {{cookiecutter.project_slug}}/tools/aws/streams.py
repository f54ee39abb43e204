"""A DynamoDB stream delivered to a function as Lambda's event source mapping does, for local runs and tests.

The poller reads every shard of a table's stream from its start, hands new records to the handler in
batches shaped like Lambda's DynamoDB stream events (only the records the function's filter would pass),
and honours partial batch responses: a reported record, and everything after it in its shard, is
delivered again on the next poll. A handler that raises gets the same batch again, as Lambda retries
until the record leaves the stream. moto serves DynamoDB Streams, so the local stack relays the wallet's
outbox through the same handler that runs on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]
RecordFilter = Callable[[dict[str, Any]], bool]


def outbox_inserts(record: dict[str, Any]) -> bool:
    """The walletOutbox function's filter (serverless.yml): INSERTs whose new image has an outbox."""
    return record.get("eventName") == "INSERT" and "outbox" in record.get("dynamodb", {}).get("NewImage", {})


class StreamPoller:
    """Polls one table's stream and delivers its records to `handler`, shard by shard, in order."""

    def __init__(
        self,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        handler: Handler,
        *,
        accept: RecordFilter = outbox_inserts,
        batch_size: int = 100,
        function_name: str = "walletOutbox",
    ) -> None:
        self.streams = streams
        self.handler = handler
        self.accept = accept
        self.batch_size = batch_size
        self.function_name = function_name
        description = dynamodb.describe_table(TableName=table_name)["Table"]
        if "LatestStreamArn" not in description:
            raise ValueError(f"table {table_name} has no stream (StreamSpecification)")
        self.stream_arn: str = description["LatestStreamArn"]
        self._after: dict[str, str] = {}  # shard id -> the last sequence number handled
        self.delivered = 0
        self.failures = 0
        self.read = 0  # records read from the stream, each time it is read (a retried one again)

    def poll(self) -> int:
        """Deliver what the stream holds now; the number of records handled (retried ones not counted)."""
        handled = 0
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            handled += self._poll_shard(shard["ShardId"])
        return handled

    def _poll_shard(self, shard_id: str) -> int:
        if shard_id in self._after:
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self._after[shard_id],
            )["ShardIterator"]
        else:
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        records: list[dict[str, Any]] = []
        while iterator:  # every record the shard holds now, not only the first page
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            if not page.get("Records"):
                break
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator")
        self.read += len(records)
        handled = 0
        for start in range(0, len(records), self.batch_size):
            batch = records[start : start + self.batch_size]
            wanted = [record for record in batch if self.accept(record)]
            done_until = self._deliver(wanted) if wanted else None
            if done_until == "":  # the whole batch failed: retried from its first record next time
                self.failures += 1
                return handled
            if done_until is not None:  # a reported record: everything before it is done
                self.failures += 1
                previous = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) < int(done_until)]
                if previous:
                    self._after[shard_id] = previous[-1]["dynamodb"]["SequenceNumber"]
                return handled + len([r for r in previous if self.accept(r)])
            self._after[shard_id] = batch[-1]["dynamodb"]["SequenceNumber"]
            handled += len(wanted)
            self.delivered += len(wanted)
        return handled

    def _deliver(self, records: list[dict[str, Any]]) -> str | None:
        """None if every record was handled; else the first failed sequence number ('' for all)."""
        context = SimpleNamespace(
            function_name=self.function_name, aws_request_id="local", memory_limit_in_mb=256
        )
        try:
            response = self.handler({"Records": records}, context) or {}
        except Exception:  # Lambda retries the whole batch
            return ""
        failures = response.get("batchItemFailures") or []
        if not failures:
            return None
        return min(str(item["itemIdentifier"]) for item in failures)
