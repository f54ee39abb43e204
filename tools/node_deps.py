"""Copy the generated project's package.json and lock into one folder, for one shared `npm ci`."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent


def main(target: str) -> int:
    """Render the default project and copy its package.json and package-lock.json into `target`."""
    Path(target).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=out))
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(project / name, Path(target, name))
    package = json.loads(Path(target, "package.json").read_text(encoding="utf-8"))
    print(f"node packages for the generated projects: {', '.join(sorted(package['devDependencies']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
