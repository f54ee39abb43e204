"""make audit-live on GCP and Azure: read the deployed resources and report, per control, where they drifted.

`make infra-check` proves what the Terraform in infra/ asks for; this reads what the cloud has: each
resource by the name infra/ gives it (its prefix and the stage), over the clouds' REST APIs with the
caller's credentials, read only. The controls are the offline ones (tools/infra_controls_<cloud>.py):
the same ids, titles and regulation areas, so a drift is reported under the control that would have
refused it in the Terraform. A control the live check cannot read is reported as offline only, with
the reason. A resource missing from the cloud, or an answer that is not 2xx (403, 404), fails the
control with the resource and the status: never a pass.

The clouds' files (tools/gcp/live.py, tools/azure/live.py) say what each control reads; both take a
transport (anything with requests' `request(method, url, ...)`), which the tests replace with one
answering from recorded API answers.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from tools.project import PROJECT_ROOT
from tools.regulation import JURISDICTION

INFRA = PROJECT_ROOT / "infra"
TIMEOUT_SECONDS = 30


class Answer(Protocol):
    """What the checks read of an HTTP answer (requests.Response has it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


class Transport(Protocol):
    """An authorised HTTP session: google-auth's AuthorizedSession, a requests.Session with a token."""

    def request(self, method: str, url: str, **kwargs: Any) -> Answer: ...


class Unreadable(Exception):
    """An answer other than 2xx: what was read, the status and the API's own message."""

    def __init__(self, what: str, status: int, message: str) -> None:
        self.what, self.status, self.message = what, status, message
        meaning = {403: "permission denied", 404: "not found"}.get(status, "error")
        super().__init__(f"{what}: cannot be read, {status} {meaning} ({message})")


class Reader:
    """GET requests through the transport: each said on the progress stream once, errors raised.

    A resource several controls read (a function, the database) is asked for once per run: its answer,
    or its error, is kept.
    """

    def __init__(self, transport: Transport, progress: TextIO | None = None) -> None:
        self.transport = transport
        self.progress = progress if progress is not None else sys.stderr
        self.requests = 0
        self._read: dict[str, dict[str, Any] | Unreadable] = {}

    def get(self, url: str, what: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON answer to a GET of `url`; `what` names the resource for the report."""
        key = json.dumps([url, sorted((params or {}).items())])
        if key not in self._read:
            self.requests += 1
            print(f"  reading {what}", file=self.progress, flush=True)
            answer = self.transport.request("GET", url, params=params, timeout=TIMEOUT_SECONDS)
            if 200 <= answer.status_code < 300:
                self._read[key] = answer.json() if answer.text else {}
            else:
                self._read[key] = Unreadable(what, answer.status_code, _message(answer))
        read = self._read[key]
        if isinstance(read, Unreadable):
            raise read
        return read

    def pages(self, url: str, what: str, items: str, params: dict[str, str] | None = None) -> Iterator[Any]:
        """Every item of a listed collection, page after page (Google's nextPageToken, ARM's nextLink)."""
        query = dict(params or {})
        while True:
            body = self.get(url, what, query)
            yield from body.get(items, [])
            if body.get("nextPageToken"):
                query["pageToken"] = body["nextPageToken"]
            elif body.get("nextLink"):
                url, query = body["nextLink"], {}
            else:
                return


def _message(answer: Answer) -> str:
    """The error's message as Google and ARM put it (the error object's message), else the text."""
    try:
        error = answer.json().get("error", {})
        return str(error.get("message") or error.get("code") or answer.text[:200])
    except (ValueError, AttributeError):
        return answer.text[:200]


# A live check: reads what it needs and appends a line per drift to its last argument.
LiveCheck = Callable[[Any, Reader, list[str]], None]


@dataclass
class Result:
    """One control's live verdict: passed, failed (with its problems) or offline only (with the reason)."""

    id: str
    title: str
    cites: list[str]
    problems: list[str] = field(default_factory=list)
    offline_only: str | None = None

    @property
    def verdict(self) -> str:
        if self.offline_only is not None:
            return "offline only"
        return "FAILED" if self.problems else "passed"


def offline_controls(cloud: str) -> tuple[Any, ...]:
    """The offline controls of tools/infra_controls_<cloud>.py (they import infra_check as tools/ does)."""
    tools = str(Path(__file__).resolve().parent)
    if tools not in sys.path:
        sys.path.insert(0, tools)
    controls: tuple[Any, ...] = importlib.import_module(f"infra_controls_{cloud}").CONTROLS
    return controls


def run(
    cloud: str, deployment: Any, reader: Reader, live: dict[str, LiveCheck], offline_only: dict[str, str]
) -> list[Result]:
    """Every offline control in its order: read live, or said to be offline only and why."""
    results = []
    for control in offline_controls(cloud):
        result = Result(control.id, control.title, control.cites())
        if control.id in live:
            try:
                live[control.id](deployment, reader, result.problems)
            except Unreadable as error:
                result.problems.append(str(error))
        else:
            result.offline_only = offline_only[control.id]
        results.append(result)
    return results


def report(results: list[Result], header: str, out: TextIO | None = None) -> int:
    """One line per control (and each problem under a failed one); 1 if a control failed."""
    out = out if out is not None else sys.stdout
    failed = [r for r in results if r.problems]
    passed = [r for r in results if r.verdict == "passed"]
    offline = len(results) - len(failed) - len(passed)
    print(f"{'FAIL' if failed else 'PASS'} {header}", file=out)
    print(f"    {len(passed)} passed, {len(failed)} failed, {offline} offline only", file=out)
    print(f"    (each control cites the clause it serves in {JURISDICTION}, then GLI-19)", file=out)
    for result in results:
        reason = f" ({result.offline_only})" if result.offline_only is not None else ""
        print(f"    {result.verdict} {result.id}: {result.title}{reason}", file=out)
        for source in result.cites:
            print(f"         cites {source}", file=out)
        for problem in result.problems:
            print(f"         - {problem}", file=out)
    return 1 if failed else 0


def write_json(results: list[Result], path: Path) -> None:
    rows = [
        {"id": r.id, "title": r.title, "verdict": r.verdict, "problems": r.problems, "cites": r.cites}
        for r in results
    ]
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def terraform_text(infra: Path = INFRA) -> str:
    """infra/'s own .tf files and its modules' (not the schema): what the names are read from."""
    files = [
        *sorted(infra.glob("*.tf")),
        *sorted(infra.glob("modules/*/*.tf")),
        *sorted(infra.glob("blocks/*/*.tf")),
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def variable_default(text: str, name: str) -> Any:
    """A variable's default in variables.tf: a string, or a list of strings (as JSON)."""
    block = r"variable\s+\"" + re.escape(name) + r"\"\s*\{[^}]*?\bdefault\s*=\s*(\[[^\]]*\]|\"[^\"]*\")"
    found = re.search(block, text, re.DOTALL)
    if found is None:
        raise SystemExit(
            f'infra/variables.tf: no default for `variable "{name}"`; restore it (make regenerate)'
        )
    return json.loads(found.group(1))


def local_value(text: str, name: str) -> str:
    """A local's literal value in infra/ (`name = "..."` or a number), as written."""
    found = re.search(rf'^\s*{name}\s*=\s*("[^"\n]*"|\d+)\s*$', text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"infra/: no local `{name}`; restore it (make regenerate)")
    return found.group(1).strip('"')
