"""The AWS functions' Powertools layer follows the library's pin (tools/audit/config.py POWERTOOLS_LAYERS)."""

from __future__ import annotations

import yaml
from tests.test_dependencies import ROOT, _pins
from tools.audit import config


def test_the_powertools_layer_follows_the_library_pin() -> None:
    (library,) = _pins((ROOT / "requirements-dev.txt").read_text(encoding="utf-8"))["aws-lambda-powertools"]
    assert library in config.POWERTOOLS_LAYERS, (
        f"aws-lambda-powertools {library} (requirements-dev.txt) has no layer version in "
        "tools/audit/config.py POWERTOOLS_LAYERS: add the one the Powertools docs give for it, and use it "
        "in serverless.yml custom.region.powertoolsLayer"
    )
    document = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    layer = document["custom"]["region"]["powertoolsLayer"]
    assert layer.endswith(f":{config.POWERTOOLS_LAYERS[library]}"), (
        f"serverless.yml uses {layer}; aws-lambda-powertools {library} goes with layer version "
        f"{config.POWERTOOLS_LAYERS[library]} (tools/audit/config.py POWERTOOLS_LAYERS)"
    )
