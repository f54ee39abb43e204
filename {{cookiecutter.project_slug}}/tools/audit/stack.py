"""The packaged CloudFormation template, read the way the checks need it.

Only resources CloudFormation would create are audited: a resource whose Condition is false (the
framework's shared role, switched off with the `Never` condition in serverless.yml) is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools import cfn_yaml

Resource = dict[str, Any]

# A reference that is known to be some non-empty string (a stack always has a name).
_NON_EMPTY = object()
# What AWS::NoValue resolves to: left out of the enclosing object or list.
_NO_VALUE = object()
_KNOWN_NON_EMPTY_REFS = {"AWS::StackName", "AWS::StackId", "AWS::Region", "AWS::AccountId"}


def as_list(value: Any) -> list[Any]:
    """A CloudFormation field that may hold one value or a list of them, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def defined_stages(serverless_yml: Path) -> list[str]:
    """The stages serverless.yml defines: its params sections other than `default`, dev first."""
    document = cfn_yaml.load_file(serverless_yml)
    stages = [name for name in (document.get("params") or {}) if name != "default"]
    return sorted(stages, key=lambda stage: (stage != "dev", stage)) or ["dev"]


def walk(value: Any) -> Iterator[Any]:
    """Every dict, list and scalar nested in a template value, the value itself first."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def strings(value: Any) -> Iterator[str]:
    """Every string nested in a template value."""
    return (item for item in walk(value) if isinstance(item, str))


class Stack:
    """The resources of a packaged template that CloudFormation would create, by logical id."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        self.conditions: dict[str, Any] = template.get("Conditions") or {}
        self.resources: dict[str, Resource] = {
            logical_id: resource
            for logical_id, resource in sorted((template.get("Resources") or {}).items())
            if self._condition_holds(resource.get("Condition"))
        }

    @classmethod
    def load(cls, path: Path) -> Stack:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def of_type(self, *types: str) -> dict[str, Resource]:
        """The resources of these types, by logical id, sorted."""
        return {lid: res for lid, res in self.resources.items() if res.get("Type") in types}

    @staticmethod
    def props(resource: Resource) -> dict[str, Any]:
        properties: dict[str, Any] = resource.get("Properties") or {}
        return properties

    def target(self, value: Any) -> str | None:
        """The logical id a Ref or Fn::GetAtt names, if that resource is in this stack."""
        if not isinstance(value, dict) or len(value) != 1:
            return None
        if "Ref" in value:
            name = value["Ref"]
        elif "Fn::GetAtt" in value:
            attribute = value["Fn::GetAtt"]
            name = attribute[0] if isinstance(attribute, list) else str(attribute).split(".", 1)[0]
        else:
            return None
        return name if isinstance(name, str) and name in self.resources else None

    def target_of_type(self, value: Any, *types: str) -> str | None:
        """The logical id `value` refers to, if it is a resource of one of these types."""
        logical_id = self.target(value)
        if logical_id is not None and self.resources[logical_id].get("Type") in types:
            return logical_id
        return None

    def references(self, value: Any) -> set[str]:
        """Every logical id of this stack that a Ref or Fn::GetAtt anywhere inside `value` names."""
        found = set()
        for item in walk(value):
            logical_id = self.target(item)
            if logical_id is not None:
                found.add(logical_id)
        return found

    def key_problem(self, value: Any) -> str | None:
        """Why `value` is not a customer-managed KMS key, or None if it is one.

        Accepted: a reference to a KMS key of this stack, a key imported from another stack, or a
        key's ARN. AWS-managed keys (alias/aws/...) and a missing key are not.
        """
        if value is None or value == "":
            return "no customer-managed KMS key"
        if self.target_of_type(value, "AWS::KMS::Key") is not None:
            return None
        if isinstance(value, dict) and "Fn::ImportValue" in value:
            return None
        if isinstance(value, str) and ":kms:" in value and ":key/" in value:
            return None
        if isinstance(value, str) and value.startswith(("alias/aws/", "aws/")):
            return f"AWS-managed key {value}, not a customer-managed one"
        return f"key {json.dumps(value, sort_keys=True)} is not a customer-managed KMS key of this stack"

    def resolved(self, value: Any) -> Any:
        """`value` with each Fn::If the template decides alone replaced by its branch.

        AWS::NoValue leaves the key or list item out, as CloudFormation does (None for the value
        itself); an Fn::If whose condition needs parameters is kept as it is.
        """
        result = self._resolve(value)
        return None if result is _NO_VALUE else result

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = (self._resolve(item) for item in value)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if value == {"Ref": "AWS::NoValue"}:
            return _NO_VALUE
        if len(value) == 1 and isinstance(value.get("Fn::If"), list) and len(value["Fn::If"]) == 3:
            name, when_true, when_false = value["Fn::If"]
            holds = self._evaluate({"Condition": name}, set())
            if holds is not None:
                return self._resolve(when_true if holds else when_false)
        entries = ((key, self._resolve(item)) for key, item in value.items())
        return {key: item for key, item in entries if item is not _NO_VALUE}

    def _condition_holds(self, name: str | None) -> bool:
        if name is None:
            return True
        result = self._evaluate({"Condition": name}, set())
        return result is not False

    def _evaluate(self, expression: Any, seen: set[str]) -> bool | None:
        """True or False where the template decides it alone; None where it needs parameters."""
        if not isinstance(expression, dict) or len(expression) != 1:
            return None
        ((function, argument),) = expression.items()
        if function == "Condition":
            if argument in seen or argument not in self.conditions:
                return None
            return self._evaluate(self.conditions[argument], seen | {argument})
        if function == "Fn::Not":
            inner = self._evaluate(as_list(argument)[0], seen)
            return None if inner is None else not inner
        if function in ("Fn::And", "Fn::Or"):
            results = [self._evaluate(item, seen) for item in as_list(argument)]
            if function == "Fn::And":
                return False if False in results else (None if None in results else True)
            return True if True in results else (None if None in results else False)
        if function == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            left, right = (self._operand(item) for item in argument)
            if left is None or right is None:
                return None
            if _NON_EMPTY in (left, right):
                other = right if left is _NON_EMPTY else left
                return False if other == "" else None
            return bool(left == right)
        return None

    @staticmethod
    def _operand(value: Any) -> Any:
        if isinstance(value, str | int | float | bool):
            return str(value).lower() if isinstance(value, bool) else str(value)
        if isinstance(value, dict) and value.get("Ref") in _KNOWN_NON_EMPTY_REFS:
            return _NON_EMPTY
        join = value.get("Fn::Join") if isinstance(value, dict) else None
        if isinstance(join, list) and len(join) == 2 and isinstance(join[1], list):
            separator, parts = join
            if all(isinstance(part, str) for part in [separator, *parts]):
                return separator.join(parts)
        return None
