"""Project tooling that runs on a developer's machine or in CI, never in a function."""
