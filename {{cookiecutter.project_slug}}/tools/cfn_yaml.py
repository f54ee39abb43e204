"""The one reader of serverless.yml and other CloudFormation YAML: short tags read as their long form.

`!Ref Table` reads as `{"Ref": "Table"}`, `!GetAtt Table.Arn` as `{"Fn::GetAtt": ["Table", "Arn"]}`,
`!Sub ...` as `{"Fn::Sub": ...}`: the JSON CloudFormation itself would see, so code written against
the packaged template reads serverless.yml the same way. The audit, the region gate, the local stack
and the tests all read YAML through here (the template's own tests load this file too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class CloudFormationLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation short tags (!Ref, !GetAtt, !Sub, ...) as data."""


def _cloudformation_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # PyYAML has no other node kind; a clear error if one ever comes
        raise yaml.constructor.ConstructorError(None, None, f"unexpected !{tag_suffix}", node.start_mark)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _cloudformation_tag)
# mkdocs.yml names the Mermaid fence's formatter by its Python name (`!!python/name:`), which mkdocs
# resolves: read here as the plain name, never imported.
CloudFormationLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda _loader, suffix, _node: suffix
)


def load(text: str) -> Any:
    """One YAML document, CloudFormation tags included (a safe loader: no Python objects)."""
    return yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass


def load_file(path: Path) -> Any:
    """The YAML document in `path` (serverless.yml, a bootstrap template, a workflow)."""
    return load(path.read_text(encoding="utf-8"))
