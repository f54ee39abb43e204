"""`make demo` on Azure, end to end: Azurite, the API behind the local App Service Authentication, the
function apps hosted from their index (tools/azure/dev.py), one player's journey through them.

Modules whose function app has no code yet are left out of the journey, each with a printed reason;
every other module's steps must be there, in order, with their figures.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from tests.azure.azurite import azurite_script
from tests.expected import expected_lines, expected_steps
from tools.azure.function_apps import built_apps, declared
from tools.project import PROJECT_ROOT

DEMO_TIMEOUT_SECONDS = 120
LEFT_OUT = re.compile(
    r"^\s+(?P<module>\w+): left out of the journey, its function app `(?P<app>[a-z0-9-]+)`", re.M
)


def test_demo_plays_the_journey_on_azurite_and_stops_every_server() -> None:
    if azurite_script() is None:
        pytest.skip(
            "Azurite is not installed: run `npm ci` in tools/azurite, or set AZURITE (its azurite.js)"
        )
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
    left_out = {found["module"]: found["app"] for found in LEFT_OUT.finditer(result.stdout)}
    # Only an app infra/ declares and whose code is not written is left out.
    assert all(app in declared() and app not in built_apps() for app in left_out.values()), left_out
    steps = re.findall(r"^\s*\d+\. (\S+(?: \S+)?)\s{2,}", result.stdout, flags=re.MULTILINE)
    assert steps == expected_steps(left_out), result.stdout
    for line in expected_lines(left_out):
        assert line in result.stdout, result.stdout
    assert "FAILED" not in result.stdout
    urls = re.findall(r"API (http://127\.0\.0\.1:\d+)", result.stdout)
    assert urls, result.stdout
    for url in urls:
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "/health", timeout=2)  # noqa: S310 - local http
    print(f"\ndemo: {time.monotonic() - started:.1f} s")
