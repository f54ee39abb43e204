"""Tests of two modules together are collected only when both are generated (tests/support/together.py)."""

from tests.support.together import pytest_ignore_collect

__all__ = ["pytest_ignore_collect"]
