"""Shared test set-up: the repository root, and `--notebooks` for test_exercises.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_addoption(parser):
    parser.addoption(
        "--notebooks",
        action="append",
        default=None,
        help="notebooks or folders to grade in tests/test_exercises.py (default: solutions/)",
    )


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """A wheel of the package built from this checkout (no network needed)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    return next(out.glob("rnncourse-*.whl"))


@pytest.fixture(scope="session")
def keras():
    from rnncourse.environment import import_keras_quietly

    return import_keras_quietly()
