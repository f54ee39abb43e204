"""The deployed function apps run on the runtime lock alone (requirements.txt + requirements-azure.txt):
what they import at run time must be in it, or be optional there."""

from __future__ import annotations

import json
import subprocess
import sys

from tools.azure.package import runtime_requirements
from tools.project import PROJECT_ROOT, SRC_DIR

PACKAGE = "{{ cookiecutter.package_name }}"


def test_the_runtime_lock_has_no_powertools_so_logs_and_metrics_do_without_it() -> None:
    # Powertools is AWS's layer: an app that installed it would carry it in every archive for nothing,
    # since observability.py logs JSON lines and metrics without it.
    assert "aws-lambda-powertools" not in runtime_requirements()
    # Powertools is in the dev environment the tests run on: hide it, as the deployed app lacks it.
    script = (
        "import sys; sys.modules['aws_lambda_powertools'] = None; "
        f"sys.path.insert(0, {str(SRC_DIR)!r}); "
        f"from {PACKAGE} import observability as o; "
        "o.set_correlation_id('corr-7'); o.get_logger().info('outcome', extra={'outcome': 'applied'}); "
        "o.add_metric('RecordsFailed'); o.flush_metrics()"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    logged = next(line for line in lines if line.get("message") == "outcome")
    assert logged["correlation_id"] == "corr-7"
    assert logged["outcome"] == "applied"
    assert any(line.get("metrics") == {"RecordsFailed": 1} for line in lines), lines
