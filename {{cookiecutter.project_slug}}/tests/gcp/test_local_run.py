"""`make demo` on GCP end to end (tools/gcp/dev.py).

The demo starts the emulators (Firestore, Pub/Sub, the Cloud Storage server), the functions and the
gateway stand-in, plays the journey and stops everything; a module whose steps GCP cannot play locally
would be left out with a line saying why (LEFT_OUT, written out here by hand, as tests/expected is: a module
that starts or stops being played fails this test). None is: the daily report is written to the reports
bucket on the local Cloud Storage server.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.util import find_spec

import pytest
from tests.expected import expected_lines, expected_steps
from tools.project import PROJECT_ROOT

DEMO_TIMEOUT_SECONDS = 180
# Modules left out on GCP, and the words of the line that says why.
LEFT_OUT: dict[str, str] = {}


def test_demo_plays_the_journey_on_the_emulators_and_stops_every_server() -> None:
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
    present = {module for module in LEFT_OUT if find_spec(f"tools.modules.{module}") is not None}
    steps = re.findall(r"^\s*\d+\. (\S+(?: \S+)?)\s{2,}", result.stdout, flags=re.MULTILINE)
    assert steps == expected_steps(present), result.stdout
    for module in present:
        assert f"{module}: left out of the journey, {LEFT_OUT[module]}" in result.stdout, result.stdout
    for line in expected_lines(present):
        assert line in result.stdout, result.stdout
    assert "FAILED" not in result.stdout
    assert "left out of the journey" not in result.stdout, result.stdout
    addresses = re.findall(r"(?:emulator|API) (?:http://)?(127\.0\.0\.1:\d+)", result.stdout)
    assert len(addresses) == 4, result.stdout  # Firestore, Pub/Sub, Cloud Storage, the API
    for address in addresses:
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"http://{address}/", timeout=2)
    print(f"\ndemo: {time.monotonic() - started:.1f} s")
