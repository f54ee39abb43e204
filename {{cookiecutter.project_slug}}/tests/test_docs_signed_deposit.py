"""The signed deposit example of docs/local-development.md runs as written (kept with the wallet)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from tests.test_docs import LOCAL_DEVELOPMENT

from {{ cookiecutter.package_name }}.compliance import CURRENCY


def doc_blocks_after(marker: str) -> list[str]:
    """The code blocks of docs/local-development.md from the section holding `marker` on."""
    text = LOCAL_DEVELOPMENT.read_text(encoding="utf-8")
    return re.findall(r"```\n(.*?)```", text.split(marker, 1)[1], re.DOTALL)


def test_the_signed_deposit_example_runs_as_written_with_what_make_dev_prints() -> None:
    import os
    import tempfile
    import urllib.request

    from tools.dev import banner
    from tools.local import provider

    settings, calls = doc_blocks_after("## Secrets and signed server calls")[:2]
    assert "signed-calls" in LOCAL_DEVELOPMENT.read_text(encoding="utf-8").split(calls, 1)[0][-200:]
    with tempfile.TemporaryFile(mode="w+") as log, provider().local_run(stage="dev", log=log) as run:
        printed = banner(run, "dev")
        # What the reader copies from the banner: the callers' token exports and the secrets' values.
        exports = dict(re.findall(r"^  export (\w+)=(\S+)", printed, re.MULTILINE))
        secrets = dict(re.findall(r"^  SSM SecureString (\S+) = (\S+)$", printed, re.MULTILINE))
        environment = {**os.environ, **exports, "API": run.api_url}
        placeholders = re.findall(r"^export (\w+)=<value printed for (\S+)>$", settings, re.MULTILINE)
        environment.update({name: secrets[printed_name] for name, printed_name in placeholders})
        # Every token the calls use is one the banner exports.
        assert set(re.findall(r'"\$(\w+_TOKEN)"', calls)) <= set(exports), calls
        result = subprocess.run(
            [shutil.which("bash") or "bash", "-euo", "pipefail", "-c", calls],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert '"error"' not in result.stdout, result.stdout
        assert run.issuer is not None
        request = urllib.request.Request(  # noqa: S310 - the local run's own http URL
            run.api_url + "/wallet", headers={"Authorization": f"Bearer {run.issuer.issue('player-1')}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local http
            wallet = json.load(response)
    assert (wallet["currency"], wallet["cash"]) == (CURRENCY, 10000), wallet
