"""What the Table Storage stores share: their client, their keys and their numbers.

The client: Azurite's connection string in tests and the local run, else the account's table endpoint
with DefaultAzureCredential (the function app's user-assigned managed identity, AZURE_CLIENT_ID): the
storage account allows no shared key, so none is ever used. The same SDK talks to Cosmos DB for Table.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
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


def rows_of(table: TableClient, partition: str, row_keys: Iterable[str]) -> dict[str, TableEntity]:
    """The entities of `partition` with these row keys, by row key: one query per 14 keys."""
    found: dict[str, TableEntity] = {}
    keys = list(dict.fromkeys(row_keys))
    # A filter holds at most 15 comparisons: the partition's and 14 row keys per query.
    for start in range(0, len(keys), 14):
        chunk = keys[start : start + 14]
        names = {f"k{index}": row_key for index, row_key in enumerate(chunk)}
        rows = " or ".join(f"RowKey eq @{name}" for name in names)
        # Spaces around the parentheses: the SDK finds a filter's @parameters between spaces.
        query = table.query_entities(
            f"PartitionKey eq @partition and ( {rows} )", parameters={"partition": partition, **names}
        )
        for entity in query:
            found[entity["RowKey"]] = entity
    return found


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


def lost_race(failure: HttpResponseError) -> bool:
    """Whether a refused write lost a race to another writer (read again and decide again), rather than
    failed for a reason a retry cannot mend."""
    return failure.status_code == 412 or error_code(failure) in LOST_RACE


def back_off() -> None:
    """A short random pause after a lost race, so writers racing for one entity or partition spread out."""
    time.sleep(random.uniform(0, 0.01))  # noqa: S311 - jitter, not crypto
