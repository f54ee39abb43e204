"""The project's DynamoDB tables, created in the test server from serverless.yml itself.

Reading the schemas from serverless.yml (not a copy in the tests) means a key, index or attribute
changed there is what the adapters are tested against.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools import cfn_yaml

if TYPE_CHECKING:
    import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVERLESS_YML = PROJECT_ROOT / "serverless.yml"

# What a test server needs to build the table; SSE, PITR, TTL and tags are the cloud's business.
TABLE_PROPERTIES = (
    "KeySchema",
    "AttributeDefinitions",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
)


def load_resources(path: Path = SERVERLESS_YML) -> dict[str, dict[str, Any]]:
    """Every CloudFormation resource declared under `resources` in serverless.yml, by logical id."""
    document = cfn_yaml.load_file(path)
    sections = (document or {}).get("resources") or {}
    if isinstance(sections, dict):
        sections = [sections]
    resources: dict[str, dict[str, Any]] = {}
    for section in sections:
        if isinstance(section, dict):
            resources.update(section.get("Resources") or {})
    return resources


def table_schemas(path: Path = SERVERLESS_YML) -> dict[str, dict[str, Any]]:
    """CreateTable arguments (without TableName) of every AWS::DynamoDB::Table, by logical id."""
    schemas = {}
    for logical_id, resource in load_resources(path).items():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        properties = resource.get("Properties", {})
        schema = {key: properties[key] for key in TABLE_PROPERTIES if key in properties}
        schemas[logical_id] = api_schema(schema)
    return schemas


def api_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation table properties as CreateTable arguments (a stream spec there is always enabled)."""
    schema = dict(schema)
    schema.setdefault("BillingMode", "PAY_PER_REQUEST")
    if "StreamSpecification" in schema:
        schema["StreamSpecification"] = {"StreamEnabled": True, **schema["StreamSpecification"]}
    return schema


def create_tables(client: Any, schemas: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Create each table under a fresh unique name; returns logical id -> table name."""
    names = {}
    for logical_id, schema in schemas.items():
        name = f"{logical_id}-{uuid.uuid4().hex[:12]}"
        client.create_table(TableName=name, **schema)
        client.get_waiter("table_exists").wait(TableName=name)
        names[logical_id] = name
    return names


def delete_tables(client: Any, names: dict[str, str]) -> None:
    """Drop the tables a test created, so the server's memory stays small."""
    for name in names.values():
        client.delete_table(TableName=name)


def create_event_bus(client: Any) -> str:
    """A fresh custom EventBridge bus with a unique name."""
    name = f"bus-{uuid.uuid4().hex[:12]}"
    client.create_event_bus(Name=name)
    return name


def table_environment(names: dict[str, str], path: Path = SERVERLESS_YML) -> dict[str, str]:
    """The functions' table variables (provider.environment NAME: {Ref: <table>}) for these tables.

    Read from serverless.yml, so a module's table variable reaches the tests the way it reaches Lambda.
    """
    document = cfn_yaml.load_file(path)
    environment = ((document or {}).get("provider") or {}).get("environment") or {}
    return {
        variable: names[value["Ref"]]
        for variable, value in environment.items()
        if isinstance(value, dict) and value.get("Ref") in names
    }


def stack_environment(monkeypatch: pytest.MonkeyPatch, events_client: Any, names: dict[str, str]) -> str:
    """The functions' environment against the moto server: a fresh bus and every table's variable.

    Returns the bus's name.
    """
    bus = create_event_bus(events_client)
    monkeypatch.setenv("EVENT_BUS_NAME", bus)
    for variable, table in table_environment(names).items():
        monkeypatch.setenv(variable, table)
    return bus
