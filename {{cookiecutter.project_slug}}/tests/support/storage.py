"""What the tests read of the local Cloud Storage server beyond the adapters' own requests."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any


def object_versions(environment: dict[str, str], bucket: str, name: str) -> list[dict[str, Any]]:
    """Every generation the server keeps of the object `name` (a versioned bucket keeps replaced ones)."""
    query = urllib.parse.urlencode({"prefix": name, "versions": "true"})
    host, quoted = environment["STORAGE_EMULATOR_HOST"], urllib.parse.quote(bucket, safe="")
    url = f"http://{host}/storage/v1/b/{quoted}/o"
    with urllib.request.urlopen(f"{url}?{query}", timeout=10) as response:  # noqa: S310 - the local server
        listed = json.load(response)
    return [item for item in listed.get("items", []) if item["name"] == name]
