"""Which files of the package a function needs, and their bytecode: what both clouds' packagers share.

The project modules a function's entry module can import are found by reading the import statements
(module level and inside functions, but not those under `if TYPE_CHECKING:`), from that module through
everything it reaches in this package, and the modules api/modules.py loads by name on the function's
cloud. tools/aws/package_code.py (AWS) and tools/gcp/package.py (GCP) build on it.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import py_compile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tools.project import PROJECT_ROOT, SRC_DIR

PACKAGE = "{{ cookiecutter.package_name }}"


class PackagingError(RuntimeError):
    """The function code cannot be worked out (a handler that is not in the package, a syntax error)."""


@dataclass(frozen=True)
class FunctionCode:
    """The project files one function's zip carries, relative to the project root."""

    name: str
    modules: tuple[str, ...]
    files: tuple[str, ...]


def module_path(module: str) -> Path | None:
    """The source file of a module of this package, or None if there is none."""
    base = SRC_DIR.joinpath(*module.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """The modules of this package that one module imports, at run time."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package_parts = module.split(".") if is_package else module.split(".")[:-1]
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):  # for the type checker only: never imported at run time
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            if node.level - 1 > len(self.package_parts):
                raise PackagingError(f"relative import beyond the package: {'.' * node.level}{node.module}")
            parts = self.package_parts[: len(self.package_parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        if not self._add(base):
            return
        for alias in node.names:  # `from . import sqs` imports a module, `from .sqs import X` a name
            if module_path(f"{base}.{alias.name}") is not None:
                self._add(f"{base}.{alias.name}")

    def _add(self, module: str) -> bool:
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            return False
        self.found.add(module)
        return True


def imports_of(module: str) -> set[str]:
    """The modules of this package that `module` imports at run time (not under TYPE_CHECKING)."""
    path = module_path(module)
    if path is None:
        raise PackagingError(f"{module} is imported but src/ has no such module")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        raise PackagingError(f"{path.relative_to(PROJECT_ROOT)}: {error}") from error
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(tree)
    return visitor.found


def _with_parents(module: str) -> Iterable[str]:
    parts = module.split(".")
    return (".".join(parts[:end]) for end in range(1, len(parts) + 1))


# Modules that import others by name, one per module of the registry (no import statement names them):
# the module, and the patterns of what it loads.
LOADED_BY_NAME = {
    f"{PACKAGE}.api.modules": (f"{PACKAGE}.api.%s", f"{PACKAGE}.api.<provider>_%s"),
}


def registry_modules(name: str = "MODULES") -> tuple[str, ...]:
    """A list of src/<package>/registry.py (read, not imported): MODULES, or ABSENT (left out)."""
    return _registry_lists(SRC_DIR / PACKAGE / "registry.py").get(name, ())


@functools.cache
def _registry_lists(path: Path) -> dict[str, tuple[str, ...]]:
    """The tuples of strings a registry file assigns, by name (none without the file)."""
    if not path.is_file():
        return {}
    lists = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            lists[node.target.id] = tuple(ast.literal_eval(node.value))
    return lists


def of_an_absent_module(module: str) -> bool:
    """Whether `module` is a file of a module this project leaves out (`domain/responsible_gaming.py`,
    `adapters/memory_wallet.py`): code imports such a file only after asking the registry."""
    last = module.rsplit(".", 1)[-1]
    if module.removeprefix(f"{PACKAGE}.") in registry_modules("TEST_DOUBLES"):
        return True  # kept for the tests only (the hybrid mode keeps the wallet's in-memory ledger)
    return module_path(module) is None and any(
        last == name or last.endswith(f"_{name}") for name in registry_modules("ABSENT")
    )


def loaded_by_name(module: str, provider: str) -> set[str]:
    """What `module` imports by name from the registry's list on `provider` (the existing files only)."""
    patterns = [pattern.replace("<provider>", provider) for pattern in LOADED_BY_NAME.get(module, ())]
    names = {pattern % name for pattern in patterns for name in registry_modules()}
    return {name for name in names if module_path(name) is not None}


def closure(root: str, provider: str) -> tuple[str, ...]:
    """`root` and every module of this package it imports on `provider` (aws, gcp, azure), directly or not,
    with their packages."""
    seen: set[str] = set()
    pending = [root]
    while pending:
        module = pending.pop()
        if of_an_absent_module(module):
            continue
        for name in _with_parents(module):  # importing a.b.c runs a/__init__ and a/b/__init__ first
            if name not in seen:
                seen.add(name)
                pending.extend((imports_of(name) | loaded_by_name(name, provider)) - seen)
    return tuple(sorted(seen))


def data_files() -> list[Path]:
    """Files of the package that are not Python (rules as data, such as promotions.json)."""
    return sorted(
        path
        for path in (SRC_DIR / PACKAGE).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    )


def function_code(name: str, handler_module: str, data: list[Path], provider: str) -> FunctionCode:
    """The modules `handler_module` imports, and the package's `data` files in the packages it imports,
    as one function's files (the API's contract, api/openapi.yaml, is no worker's)."""
    modules = closure(handler_module, provider)
    paths = [module_path(module) for module in modules]
    own_data = [path for path in data if ".".join(path.parent.relative_to(SRC_DIR).parts) in modules]
    files = [path for path in paths if path is not None] + own_data
    return FunctionCode(
        name=name,
        modules=modules,
        files=tuple(path.relative_to(PROJECT_ROOT).as_posix() for path in files),
    )


def bytecode_path(source: str) -> str:
    """Where this interpreter keeps the bytecode of `source` (both relative to the project root)."""
    return Path(importlib.util.cache_from_source(source)).as_posix()


def is_hash_checked(pyc: bytes) -> bool:
    """Whether bytecode is hash-based and checked against its source (PEP 552 flags 0b11)."""
    return int.from_bytes(pyc[4:8], "little") == 0b11


def compile_bytecode(sources: Iterable[str]) -> list[str]:
    """Hash-checked bytecode of each source file for this interpreter; the .pyc paths written."""
    written = []
    for source in sources:
        target = bytecode_path(source)
        py_compile.compile(
            str(PROJECT_ROOT / source),
            cfile=str(PROJECT_ROOT / target),
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
        written.append(target)
    return written
