"""Cloud Storage's JSON API answers, recorded, for what the local server (fake-gcs-server,
tests/gcp/test_cloud_storage_server.py) does not answer as Cloud Storage does: an MD5 mismatch, a denied
write; and for the functions' tests, which check each request they send.

`RecordedCloudStorage` stands where the AuthorizedSession does: it answers each request with the next
recorded answer, in order, and keeps every request it was sent (method, URL, parameters, headers and
body), so a test checks both what the adapter asked and what it made of the answer. The bodies are
the API's (objects.insert, objects.list, objects.get with alt=media, and its error objects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests

BUCKET = "casino-dev-audit-archive"


@dataclass
class Sent:
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    data: bytes | None

    def multipart(self) -> tuple[dict[str, Any], bytes]:
        """An upload's metadata and media, split on the boundary its Content-Type names."""
        assert self.data is not None
        content_type = self.headers["Content-Type"]
        assert content_type.startswith("multipart/related; boundary=")
        boundary = content_type.split("boundary=", 1)[1].encode()
        parts = self.data.split(b"--" + boundary)
        assert parts[0] == b"", "the body does not start with its boundary"
        assert parts[-1] == b"--\r\n", "the body does not end with its closing boundary"
        metadata_part, media_part = parts[1], parts[2]
        metadata = json.loads(metadata_part.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n"))
        media = media_part.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n")
        return metadata, media


@dataclass
class RecordedCloudStorage:
    """Answers each request with the next recorded answer; `sent` holds the requests, in order."""

    answers: list[requests.Response]
    sent: list[Sent] = field(default_factory=list)

    def post(
        self, url: str, *, params: dict[str, str], data: bytes, headers: dict[str, str], timeout: float
    ) -> requests.Response:
        assert timeout > 0
        self.sent.append(Sent("POST", url, dict(params), dict(headers), data))
        return self.answers.pop(0)

    def get(self, url: str, *, params: dict[str, str], timeout: float) -> requests.Response:
        assert timeout > 0
        self.sent.append(Sent("GET", url, dict(params), {}, None))
        return self.answers.pop(0)


def answer(status: int, body: dict[str, Any] | bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if isinstance(body, bytes):
        response._content = body
        response.headers["Content-Type"] = "application/octet-stream"
    else:
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
    return response


def stored(name: str, size: int, bucket: str = BUCKET) -> requests.Response:
    """objects.insert's answer: the object's resource."""
    return answer(
        200,
        {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/1733338000000000",
            "name": name,
            "bucket": bucket,
            "generation": "1733338000000000",
            "metageneration": "1",
            "contentType": "application/x-ndjson",
            "size": str(size),
        },
    )


def error(status: int, message: str, reason: str) -> requests.Response:
    return answer(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
            }
        },
    )


PRECONDITION_FAILED = error(
    412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet"
)


def listing(names: list[str], next_page: str | None = None) -> requests.Response:
    """objects.list's answer with fields=items(name),nextPageToken."""
    body: dict[str, Any] = {"items": [{"name": name} for name in names]} if names else {}
    if next_page:
        body["nextPageToken"] = next_page
    return answer(200, body)
