"""Jinja extension that exposes the template's one manifest to every rendered file and hook."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment
from jinja2.ext import Extension

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")


@functools.lru_cache(maxsize=1)
def load_manifest() -> dict[str, Any]:
    """Read manifest.yaml once per process."""
    with MANIFEST_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


class ManifestExtension(Extension):
    """Adds the `manifest` global (the parsed manifest.yaml) to the Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["manifest"] = load_manifest()
