"""Write a package.json with the generated project's pinned node packages, for one shared install."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent


def main(target: str) -> int:
    """Render the default project and copy its package.json's dependencies into `target`."""
    with tempfile.TemporaryDirectory() as out:
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=out))
        package = json.loads((project / "package.json").read_text(encoding="utf-8"))
    shared = {
        "name": "template-shared-node-packages",
        "private": True,
        "devDependencies": {**package.get("dependencies", {}), **package.get("devDependencies", {})},
    }
    Path(target).mkdir(parents=True, exist_ok=True)
    Path(target, "package.json").write_text(json.dumps(shared, indent=2) + "\n", encoding="utf-8")
    print(f"node packages for the generated projects: {', '.join(sorted(shared['devDependencies']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
