"""Shared test set-up: the repository root, and `--notebooks` for test_exercises.py."""

from __future__ import annotations

import os
import shutil
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
    """A wheel of the package built from this checkout (no network needed).

    It is built from a copy of the sources, not in the checkout: setuptools would reuse the
    checkout's ``build/`` folder, where a module renamed or removed since the last build
    lives on and would end up in the wheel.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "rnncourse", source / "rnncourse",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True,
    )
    return next(out.glob("rnncourse-*.whl"))


@pytest.fixture(scope="session")
def keras():
    from rnncourse.environment import import_keras_quietly

    return import_keras_quietly()
