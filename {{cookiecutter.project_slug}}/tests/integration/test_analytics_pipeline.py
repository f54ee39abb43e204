"""The analytics pipeline as serverless.yml defines it: rule -> Firehose -> S3 -> Glue table -> Athena.

moto cannot run Athena queries nor evaluate Firehose's !{timestamp:...} prefixes, so these tests pin the
nearest real things: the definitions themselves, the layout of the objects the stream writes (rendered
from its own prefix) read back through the Glue table's own location and partition projection, and the
rule's pattern on the EventBridge of the moto server.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from tests.support.region import REGION
from tests.support.tables import load_resources

from {{ cookiecutter.package_name }}.compliance import RETENTION_YEARS
from {{ cookiecutter.package_name }}.domain.events import DomainEvent

PACKAGE = "{{ cookiecutter.package_name }}"
DATA_KEY = {"Fn::GetAtt": ["DataKey", "Arn"]}
# Firehose's timestamp namespace (Java DateTimeFormatter patterns), for the patterns the prefix uses.
TIMESTAMP_PATTERNS = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H"}


@pytest.fixture(scope="module")
def resources() -> dict[str, dict[str, Any]]:
    return load_resources()


def properties(resources: dict[str, dict[str, Any]], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = resources[logical_id]["Properties"]
    return found


def firehose_prefix(prefix: str, arrival: datetime) -> str:
    """The key prefix Firehose writes a record under, from its !{timestamp:<pattern>} expressions."""

    def expand(match: re.Match[str]) -> str:
        return arrival.astimezone(UTC).strftime(TIMESTAMP_PATTERNS[match.group(1)])

    expanded = re.sub(r"!\{timestamp:([A-Za-z]+)\}", expand, prefix)
    assert "!{" not in expanded, f"an expression this test does not know: {expanded}"
    return expanded


def bucket_location(value: Any, bucket: str) -> str:
    """An s3:// location written as Fn::Join of "s3://", Ref AnalyticsBucket and a path."""
    separator, parts = value["Fn::Join"]
    assert separator == ""
    return "".join(bucket if part == {"Ref": "AnalyticsBucket"} else part for part in parts)


def test_the_stream_writes_date_partitioned_gzip_json_encrypted_with_the_stack_key(
    resources: dict[str, dict[str, Any]],
) -> None:
    stream = properties(resources, "AnalyticsDeliveryStream")
    destination = stream["ExtendedS3DestinationConfiguration"]

    assert stream["DeliveryStreamType"] == "DirectPut"
    assert stream["DeliveryStreamEncryptionConfigurationInput"] == {
        "KeyType": "CUSTOMER_MANAGED_CMK",
        "KeyARN": DATA_KEY,
    }
    assert destination["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": DATA_KEY}}
    assert destination["BucketARN"] == {"Fn::GetAtt": ["AnalyticsBucket", "Arn"]}
    assert destination["Prefix"] == "events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
    assert destination["ErrorOutputPrefix"].startswith("errors/!{firehose:error-output-type}/year=")
    assert destination["CompressionFormat"] == "GZIP"
    # One event per line: EventBridge sends records with no separator.
    assert {"Type": "AppendDelimiterToRecord"} in destination["ProcessingConfiguration"]["Processors"]


def test_the_bucket_is_private_encrypted_versioned_and_kept_for_the_retention(
    resources: dict[str, dict[str, Any]],
) -> None:
    bucket = properties(resources, "AnalyticsBucket")
    [encryption] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    retention_years = RETENTION_YEARS

    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": DATA_KEY,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    [kept] = [rule for rule in bucket["LifecycleConfiguration"]["Rules"] if "Prefix" not in rule]
    assert kept["ExpirationInDays"] >= retention_years * 365 + retention_years // 4 + 1
    [tls] = properties(resources, "AnalyticsBucketPolicy")["PolicyDocument"]["Statement"]
    assert (tls["Effect"], tls["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_the_glue_table_reads_where_the_stream_writes(resources: dict[str, dict[str, Any]]) -> None:
    table = properties(resources, "DomainEventsTable")["TableInput"]
    prefix = properties(resources, "AnalyticsDeliveryStream")["ExtendedS3DestinationConfiguration"]["Prefix"]
    location = bucket_location(table["StorageDescriptor"]["Location"], "bucket")

    # The table's location is the stream's prefix up to its first partition.
    assert location == "s3://bucket/" + prefix.split("year=")[0]
    # Its partition keys are the prefix's Hive-style names, in the same order.
    assert [key["Name"] for key in table["PartitionKeys"]] == re.findall(r"(\w+)=!\{", prefix)
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    for key in table["PartitionKeys"]:
        assert parameters[f"projection.{key['Name']}.type"] == "integer"
    assert "storage.location.template" not in parameters  # Hive layout: Athena's default
    serde = table["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"


def test_the_workgroup_enforces_results_encrypted_with_the_stack_key(
    resources: dict[str, dict[str, Any]],
) -> None:
    configuration = properties(resources, "AnalyticsWorkGroup")["WorkGroupConfiguration"]

    assert configuration["EnforceWorkGroupConfiguration"] is True
    results = configuration["ResultConfiguration"]
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_KMS", "KmsKey": DATA_KEY}
    assert bucket_location(results["OutputLocation"], "bucket") == "s3://bucket/athena-results/"


def test_the_rule_sends_every_event_of_the_project_to_the_stream_and_keeps_failures(
    resources: dict[str, dict[str, Any]],
) -> None:
    rule = properties(resources, "AnalyticsRule")
    [target] = rule["Targets"]

    assert rule["EventPattern"] == {"source": [{"prefix": f"{PACKAGE}."}]}
    assert target["Arn"] == {"Fn::GetAtt": ["AnalyticsDeliveryStream", "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["AnalyticsDeadLetterQueue", "Arn"]}}
    role = properties(resources, "AnalyticsRuleRole")
    [statement] = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["firehose:PutRecord", "firehose:PutRecordBatch"]
    assert statement["Resource"] == {"Fn::GetAtt": ["AnalyticsDeliveryStream", "Arn"]}


@pytest.mark.integration
def test_the_rule_pattern_takes_every_source_of_the_project_and_nothing_else(
    resources: dict[str, dict[str, Any]], events_client: Any, sqs_client: Any
) -> None:
    # The rule's own pattern on a bus of the moto server, with a queue standing in for the stream.
    bus = f"bus-{uuid.uuid4().hex[:12]}"
    events_client.create_event_bus(Name=bus)
    queue_url = sqs_client.create_queue(QueueName=f"analytics-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    queue_arn = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    pattern = properties(resources, "AnalyticsRule")["EventPattern"]
    events_client.put_rule(Name="analytics", EventBusName=bus, EventPattern=json.dumps(pattern))
    events_client.put_targets(Rule="analytics", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    sources = [f"{PACKAGE}.wallet", f"{PACKAGE}.reporting", f"other_{PACKAGE}.wallet", "partner.wallet"]

    events_client.put_events(
        Entries=[
            {"EventBusName": bus, "Source": source, "DetailType": "BetPlaced", "Detail": "{}"}
            for source in sources
        ]
    )

    received = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    delivered = sorted(json.loads(message["Body"])["source"] for message in received.get("Messages", []))
    assert delivered == [f"{PACKAGE}.reporting", f"{PACKAGE}.wallet"]


@pytest.mark.integration
def test_objects_the_stream_writes_are_found_by_the_tables_partitions(
    resources: dict[str, dict[str, Any]], moto_server: object
) -> None:
    s3 = boto3.client("s3")
    bucket = f"analytics-{uuid.uuid4().hex[:12]}"
    extra = {} if REGION == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3.create_bucket(Bucket=bucket, **extra)
    stream = properties(resources, "AnalyticsDeliveryStream")["ExtendedS3DestinationConfiguration"]
    table = properties(resources, "DomainEventsTable")["TableInput"]
    arrival = datetime(2030, 1, 5, 9, 30, tzinfo=UTC)
    events = [
        DomainEvent("BetPlaced", f"{PACKAGE}.wallet", {"amount": 100, "currency": "EUR"}, "c-1", arrival),
        DomainEvent(
            "DailyReportWritten", f"{PACKAGE}.reporting", {"report_date": "2030-01-04"}, "c-2", arrival
        ),
    ]
    # As EventBridge hands them to Firehose, one line each (AppendDelimiterToRecord), gzip.
    lines = [
        json.dumps(
            {
                "version": "0",
                "id": f"eb-{event.event_id}",
                "detail-type": event.name,
                "source": event.source,
                "account": "123456789012",
                "time": arrival.isoformat(),
                "region": REGION,
                "resources": [],
                "detail": event.envelope(),
            }
        )
        + "\n"
        for event in events
    ]
    key = firehose_prefix(stream["Prefix"], arrival) + "casino-events-1-2030-01-05-09-30-00-abc.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress("".join(lines).encode()))

    # Athena's view: the partition (2030, 1, 5) under the table's location, as projection spells it.
    location = bucket_location(table["StorageDescriptor"]["Location"], bucket).removeprefix(f"s3://{bucket}/")
    parameters = table["Parameters"]
    partition = "/".join(
        f"{name}={str(value).zfill(int(parameters.get(f'projection.{name}.digits', '1')))}"
        for name, value in zip(("year", "month", "day"), (2030, 1, 5), strict=True)
    )
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{location}{partition}/").get("Contents", [])
    assert [item["Key"] for item in listed] == [key]

    body = gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode()
    serde = table["StorageDescriptor"]["SerdeInfo"]["Parameters"]
    mapping = {
        name.removeprefix("mapping."): field for name, field in serde.items() if name.startswith("mapping.")
    }
    rows = [json.loads(line) for line in body.splitlines()]
    columns = [column["Name"] for column in table["StorageDescriptor"]["Columns"]]
    for row, event in zip(rows, events, strict=True):
        values = {column: row[mapping.get(column, column)] for column in columns}
        assert values["detail_type"] == event.name
        assert values["source"] == event.source
        assert values["detail"]["correlation_id"] == event.correlation_id


@pytest.mark.integration
def test_the_glue_definitions_are_accepted_by_the_glue_api(
    resources: dict[str, dict[str, Any]], moto_server: object
) -> None:
    glue = boto3.client("glue")
    database = properties(resources, "AnalyticsDatabase")["DatabaseInput"]
    name = database["Name"].replace("${sls:stage}", f"t{uuid.uuid4().hex[:6]}")
    table = properties(resources, "DomainEventsTable")["TableInput"]
    storage = {
        **table["StorageDescriptor"],
        "Location": bucket_location(table["StorageDescriptor"]["Location"], "b"),
    }

    glue.create_database(DatabaseInput={**database, "Name": name})
    glue.create_table(DatabaseName=name, TableInput={**table, "StorageDescriptor": storage})

    stored = glue.get_table(DatabaseName=name, Name=table["Name"])["Table"]
    assert re.fullmatch(r"[a-z0-9_]+", name)
    assert stored["StorageDescriptor"]["Location"] == "s3://b/events/"
    assert [key["Name"] for key in stored["PartitionKeys"]] == ["year", "month", "day"]
