"""The API's modules: what each module of the registry adds, found by its files' names.

A module's API file is `api/<module>.py` with its `API` (a ModuleApi); its composition on a provider is
`api/<provider>_<module>.py` (api/aws.py reads the `aws_` ones, api/gcp.py the `gcp_` ones, api/azure.py
the `azure_` ones). A module without such a file (reporting has no routes) adds nothing. Nothing here
names a module: the registry lists them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from types import ModuleType
from typing import Any

from ..registry import MODULES
from .context import ModuleApi


def modules_of(kind: str) -> Iterator[tuple[str, ModuleType]]:
    """Each module's file `api/<kind><module>.py` with the module's name, in the registry's order.

    `kind` is "" for the modules' API files, "aws_", "gcp_" or "azure_" for their composition on a cloud.
    """
    for name in MODULES:
        file = f"{__package__}.{kind}{name}"
        if importlib.util.find_spec(file) is not None:
            yield name, importlib.import_module(file)


@cache
def module_apis() -> tuple[ModuleApi, ...]:
    """What each module's API file adds to the app (its `API`), in the registry's order."""
    return tuple(module.API for _, module in modules_of(""))


def view_extensions(view: str) -> list[Callable[[Any], Mapping[str, Any]]]:
    """What other modules add to `view`'s JSON (e.g. player protection's reality check to a session)."""
    return [api.extends[view] for api in module_apis() if view in api.extends]
