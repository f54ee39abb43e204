"""The local run: the journey's steps, and `make demo` end to end (the gateway: tests/test_aws_gateway.py)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import cast

import pytest
from tests.expected import expected_lines, expected_steps
from tools.demo import journey_steps, play
from tools.journey import Journey
from tools.local import LocalRun
from tools.modules import ModuleTools, Step, contributions
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }} import registry

DEMO_TIMEOUT_SECONDS = 180


class UnreachableRun:
    """A local run whose issuer cannot be reached."""

    api_url = "http://127.0.0.1:9"

    def token(self, subject: str, scopes: Iterable[str] = ()) -> str:
        raise OSError("connection refused")


def test_modules_steps_take_their_places_around_the_sign_in_and_the_workers() -> None:
    first = ModuleTools(demo_steps=lambda _: [Step(900, "last", str), Step(100, "early", str)])
    second = ModuleTools(demo_steps=lambda _: [Step(100, "early too", str), Step(600, "after", str)])
    journey = Journey(cast(LocalRun, UnreachableRun()), parts=[first, second])

    titles = [title for title, _ in journey_steps(journey)]

    # Equal places keep the modules' order (the registry's), each module's own order within.
    assert titles == ["sign in", "early", "early too", "workers", "after", "last"]


def test_every_module_with_tools_pieces_brings_them() -> None:
    parts = contributions()

    with_tools = [
        name for name in registry.MODULES if (PROJECT_ROOT / "tools" / "modules" / f"{name}.py").exists()
    ]
    assert len(parts) == len(with_tools)
    assert all(isinstance(part, ModuleTools) for part in parts)


def test_a_failing_step_ends_the_journey_as_failed() -> None:
    out = io.StringIO()

    failure = play(cast(LocalRun, UnreachableRun()), out)

    assert failure == "1. sign in FAILED: connection refused"
    assert out.getvalue().strip() == "1. sign in           FAILED: connection refused"


def test_demo_plays_the_journey_and_stops_every_server() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_SECONDS,
        check=False,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    steps = re.findall(r"^\s*\d+\. (\S+(?: \S+)?)\s{2,}", result.stdout, flags=re.MULTILINE)
    assert steps == expected_steps(), result.stdout
    for line in expected_lines():
        assert line in result.stdout, result.stdout
    assert "FAILED" not in result.stdout
    for url in re.findall(r"(?:moto server|API) (http://127\.0\.0\.1:\d+)", result.stdout):
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 - local http
    print(f"\ndemo: {time.monotonic() - started:.1f} s")
