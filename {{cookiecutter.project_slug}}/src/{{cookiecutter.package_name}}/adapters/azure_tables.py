"""What the Table Storage stores share: their client, their keys and their numbers.

The client: Azurite's connection string in tests and the local run, else the account's table endpoint
with DefaultAzureCredential (the function app's user-assigned managed identity, AZURE_CLIENT_ID): the
storage account allows no shared key, so none is ever used. The same SDK talks to Cosmos DB for Table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.data.tables import EdmType, EntityProperty, TableClient, TableEntity

# Table Storage refuses an entity group transaction of more than 100 operations.
TRANSACTION_OPERATIONS = 100


def table_client(
    table_name: str, *, endpoint: str | None = None, connection_string: str | None = None
) -> TableClient:
    """A table's client: a connection string on Azurite, else the endpoint and the managed identity.

    `endpoint`: the account's table endpoint (https://<account>.table.core.windows.net, the function
    app's `<Connection>__tableServiceUri`).
    """
    if connection_string is not None:
        return TableClient.from_connection_string(connection_string, table_name=table_name)
    if endpoint is None:
        raise ValueError(
            f"the table {table_name!r} needs its endpoint (the account's table endpoint), "
            "or on Azurite a connection string"
        )
    from azure.identity import DefaultAzureCredential

    return TableClient(endpoint=endpoint, table_name=table_name, credential=DefaultAzureCredential())


def key(value: str) -> str:
    """A key part Table Storage accepts: percent-encoded, so `/`, `#`, `?` and `\\` never reach it.

    `:` is encoded too, so an encoded id never contains the separator the RowKeys' prefixes use.
    """
    return quote(value, safe="")


def rows(table: TableClient, partition: str, row_keys: Sequence[str]) -> dict[str, TableEntity]:
    """The existing entities of `row_keys` in one partition, by RowKey: ONE query."""
    if not row_keys:
        return {}
    names = [f"row{index}" for index in range(len(row_keys))]
    found = table.query_entities(
        # Spaces around each parameter: the SDK finds parameters by splitting the filter on them.
        "PartitionKey eq @partition and ( " + " or ".join(f"RowKey eq @{name}" for name in names) + " )",
        parameters={"partition": partition, **dict(zip(names, row_keys, strict=True))},
    )
    return {entity["RowKey"]: entity for entity in found}


def int64(value: int) -> EntityProperty:
    """A count or an amount as Edm.Int64: amounts reach 10**12 minor units, past Edm.Int32."""
    return EntityProperty(value, EdmType.INT64)


def integer(entity: TableEntity, name: str, default: int = 0) -> int:
    """An integer property as read (the SDK returns Int64 properties as EntityProperty)."""
    value = entity.get(name, default)
    return int(value.value if isinstance(value, EntityProperty) else value)


def if_unchanged(entity: TableEntity) -> dict[str, Any]:
    """A write's options: applied only while the entity still has the ETag it was read with."""
    return {"etag": entity.metadata["etag"], "match_condition": MatchConditions.IfNotModified}


def error_code(failure: HttpResponseError) -> str:
    """The storage error code of a failed request or transaction (EntityAlreadyExists, ...).

    The SDK re-raises some failed requests (create_entity's 409) without decoding their code: then it
    is read from the response's x-ms-error-code header.
    """
    code = getattr(failure, "error_code", None)
    if not code and failure.response is not None:
        code = failure.response.headers.get("x-ms-error-code")
    return str(getattr(code, "value", code) or "")


# What a lost race looks like: the entity appeared since it was read (409), or it changed or went (412,
# 404 on an update of an entity deleted meanwhile).
LOST_RACE = frozenset({"EntityAlreadyExists", "UpdateConditionNotSatisfied", "ResourceNotFound"})
