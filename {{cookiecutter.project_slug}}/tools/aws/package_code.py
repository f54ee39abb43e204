"""`make package`, first step: which files each function's zip carries, and their bytecode.

For every function of serverless.yml, the project modules its handler can import are found by reading
the import statements (module level and inside functions, but not those under `if TYPE_CHECKING:`),
from the handler module through everything it reaches in this package. Each zip then carries those
modules, their parent packages and the data files of those packages, and nothing else of the project:
a worker does not carry the API (nor its contract, api/openapi.yaml), nor another module's domain.

When this Python is the functions' runtime version, the same modules are compiled here to bytecode,
hash-based and checked (PEP 552): the interpreter compares the bytecode with a hash of the source
instead of its modification time, which the zips do not keep. A cold start then loads bytecode instead
of compiling the project. The API's third-party packages get the same (pip compiles them while
serverless-python-requirements installs them; SOURCE_DATE_EPOCH, set by the Makefile, makes that
hash-based too, and the slim patterns written here keep it). Another Python packages the source alone
and says so: bytecode for another version would be dead weight.

Writes .build/function-code.json, which serverless.yml reads (`package.patterns` of each function,
`custom.pythonRequirements.slimPatterns`); `osls package` run without it packages every module, as
source only.

    python -m tools.aws.package_code       # what make package runs
    python -m tools.aws.package_code --print  # each function's modules, without writing anything
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tools.aws.stack import handler_target, load, read_serverless_yml, wsgi_target

# Which modules a function's code carries is the same on every cloud (tools/code_closure.py).
from tools.code_closure import PACKAGE as PACKAGE
from tools.code_closure import FunctionCode as FunctionCode
from tools.code_closure import PackagingError as PackagingError
from tools.code_closure import bytecode_path as bytecode_path
from tools.code_closure import closure as closure
from tools.code_closure import compile_bytecode as compile_bytecode
from tools.code_closure import data_files as data_files
from tools.code_closure import function_code as function_code
from tools.code_closure import imports_of as imports_of
from tools.code_closure import is_hash_checked as is_hash_checked
from tools.code_closure import module_path as module_path
from tools.project import PROJECT_ROOT

OUTPUT = PROJECT_ROOT / ".build" / "function-code.json"
# What serverless-python-requirements removes from the API's third-party packages: console scripts,
# pip's input and package metadata always; their bytecode too unless it is for the runtime's Python.
SLIM_ALWAYS = ["bin", "requirements.txt", "**/*.dist-info*"]
SLIM_BYTECODE = ["**/*.py[c|o]", "**/__pycache__*"]


def handler_modules() -> dict[str, str]:
    """Each function of serverless.yml and the module of this package its handler loads."""
    definition = load(source="serverless.yml")
    targets = {}
    for function in definition.functions:
        if function.is_api:
            module = wsgi_target(definition.wsgi_app)[1]
        else:
            module = handler_target(function.handler)[0]
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            raise PackagingError(f"function {function.name}: handler {module} is not in src/{PACKAGE}")
        targets[function.name] = module
    return targets


def runtime_version() -> str:
    """The functions' Python version from serverless.yml's provider.runtime (python3.13 -> 3.13)."""
    runtime = str(read_serverless_yml()["provider"]["runtime"])
    if not runtime.startswith("python"):
        raise PackagingError(f"provider.runtime is {runtime!r}, not a Python runtime")
    return runtime.removeprefix("python")


def build(write: bool = True) -> dict[str, Any]:
    """Work out every function's code (and compile it, if this Python is the runtime's); the document."""
    runtime = runtime_version()
    here = "{}.{}".format(*sys.version_info[:2])
    bytecode = here == runtime
    data = data_files()
    codes = [function_code(name, module, data) for name, module in handler_modules().items()]
    if bytecode and write:
        compile_bytecode(sorted({file for code in codes for file in code.files if file.endswith(".py")}))

    def patterns(code: FunctionCode) -> list[str]:
        sources = [file for file in code.files if file.endswith(".py")]
        return list(code.files) + ([bytecode_path(file) for file in sources] if bytecode else [])

    document = {
        "runtime": f"python{runtime}",
        "packaged_with": f"python{here}",
        "bytecode": bytecode,
        "slimPatterns": SLIM_ALWAYS + ([] if bytecode else SLIM_BYTECODE),
        "functions": {code.name: patterns(code) for code in codes},
        "modules": {code.name: list(code.modules) for code in codes},
    }
    if write:
        OUTPUT.parent.mkdir(exist_ok=True)
        OUTPUT.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return document


def summary(document: dict[str, Any]) -> str:
    lines = [f"{name}: {len(modules)} modules of {PACKAGE}" for name, modules in document["modules"].items()]
    if document["bytecode"]:
        lines.append(f"Bytecode compiled for {document['runtime']} (hash-checked), in every zip.")
    else:
        lines.append(
            f"No bytecode: this is {document['packaged_with']} and the functions run {document['runtime']};"
            " cold starts will compile the project's modules (package with that Python to avoid it)."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="show each function's modules, write nothing")
    arguments = parser.parse_args(argv)
    try:
        document = build(write=not arguments.print)
    except PackagingError as error:
        print(f"package_code: {error}", file=sys.stderr)
        return 1
    if arguments.print:
        for name, modules in document["modules"].items():
            print(f"{name}:\n  " + "\n  ".join(modules))
    else:
        print(summary(document))
        print(f"Wrote {OUTPUT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
