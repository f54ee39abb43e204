"""Where the project is: its root and its source tree, for the tools that run from the project root."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SRC_DIR = PROJECT_ROOT / "src"


def use_source_tree() -> None:
    """Make the package importable from src/ (the tools run from the project root, like the tests)."""
    if str(SRC_DIR) not in sys.path:
        sys.path.insert(0, str(SRC_DIR))
