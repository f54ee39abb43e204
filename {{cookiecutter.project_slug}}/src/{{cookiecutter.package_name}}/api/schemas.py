"""Request validation: every refusal names its field, so bad input is a 4xx and never a 500.

A body must be one JSON object with exactly the documented fields: unknown, missing or wrong-typed
fields are 422, malformed JSON is 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, NoReturn

from flask import request

from ..domain.errors import DomainError, NotFound, ValidationFailed

# Transaction and session ids: what game providers and our own uuids use, nothing that needs escaping.
# Always matched in full (fullmatch): `$` would also match before a trailing newline.
IDENTIFIER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

Body = dict[str, Any]


class MalformedJson(DomainError):
    """The request body is not JSON at all."""

    code = "malformed_json"
    status = 400


def json_body(*, allow_empty: bool = False) -> Body:
    """The request body as a JSON object (an empty body is `{}` when `allow_empty`).

    Empty means no byte at all: a body of whitespace is a body, and not JSON (400 malformed_json).
    """
    raw = request.get_data(cache=False)
    if not raw:
        if allow_empty:
            return {}
        raise ValidationFailed("the request body must be a JSON object")
    try:
        data = json.loads(raw, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; absurd nesting exhausts the recursion limit.
    except (ValueError, RecursionError):
        raise MalformedJson("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValidationFailed("the request body must be a JSON object")
    return data


def expect_fields(body: Body, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    """Refuse unknown fields first, then missing ones, each by name."""
    required = tuple(required)
    known = set(required) | set(optional)
    unknown = sorted(name for name in body if name not in known)
    if unknown:
        raise ValidationFailed(f"unknown field {unknown[0]!r}", field=unknown[0])
    for name in required:
        if name not in body:
            raise ValidationFailed(f"{name} is required", field=name)


def identifier(body: Body, name: str) -> str:
    """A transaction or session id field."""
    value = body[name]
    if not isinstance(value, str) or not IDENTIFIER_RE.fullmatch(value):
        raise ValidationFailed(
            f"{name} must be 1-128 letters, digits or . _ : - (starting with a letter or digit)", field=name
        )
    return value


def optional_identifier(body: Body, name: str) -> str | None:
    """An id field that may be absent or null."""
    return None if body.get(name) is None else identifier(body, name)


def player_id(body: Body, name: str = "player_id") -> str:
    """A player id in a signed body: an identity provider's `sub`, printable, no spaces."""
    value = body[name]
    if not isinstance(value, str) or not is_player_id(value):
        raise ValidationFailed(
            f"{name} must be the player's id: 1-256 printable characters, no spaces", field=name
        )
    return value


def is_player_id(value: str) -> bool:
    """An identity provider's `sub`: 1-256 printable characters, no spaces."""
    return 0 < len(value) <= 256 and value.isprintable() and not any(char.isspace() for char in value)


def path_identifier(value: str, name: str) -> str:
    """An id taken from the URL path; one that cannot exist is simply not found."""
    if not IDENTIFIER_RE.fullmatch(value):
        raise NotFound(f"no such {name.removesuffix('_id')}", field=name)
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> Body:
    # A repeated key would let two parsers disagree on the amount; refuse it instead of picking one.
    data: Body = {}
    for key, value in pairs:
        if key in data:
            raise ValidationFailed(f"field {key!r} appears twice", field=key)
        data[key] = value
    return data


def _reject_constant(name: str) -> NoReturn:
    raise MalformedJson(f"{name} is not a JSON number")
