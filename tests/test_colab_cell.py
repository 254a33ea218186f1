"""The Colab set-up cell: installs the package in Colab only, never TF/Keras/NumPy.

The cell is run as Colab would run it, in a fresh virtual environment, with a
fake ``google.colab`` module and a wheel built from this checkout in place of
the repository URL (there is no network here).
"""

from __future__ import annotations

import json
import subprocess
import venv

import pytest

from rnncourse.authoring import colab_setup_source

FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"


@pytest.fixture
def fresh_python(tmp_path):
    venv.create(tmp_path / "env", with_pip=True)
    return tmp_path / "env" / "bin" / "python"


def _installed(python) -> set[str]:
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                            check=True, capture_output=True, text=True).stdout
    return {p["name"].lower() for p in json.loads(listed)}


def _run_cell(python, source: str):
    return subprocess.run([str(python), "-c", source], capture_output=True, text=True, cwd="/")


def test_in_colab_the_cell_installs_the_package_and_nothing_else(fresh_python, wheel):
    before = _installed(fresh_python)
    done = _run_cell(fresh_python, FAKE_COLAB + colab_setup_source(str(wheel)))
    assert done.returncode == 0, done.stderr
    assert _installed(fresh_python) - before == {"rnncourse"}
    assert not {"tensorflow", "keras", "numpy", "matplotlib"} & _installed(fresh_python)
    # run again: already installed, nothing to do (and no error)
    again = _run_cell(fresh_python, FAKE_COLAB + colab_setup_source("/nonexistent.whl"))
    assert again.returncode == 0, again.stderr


def test_outside_colab_the_cell_does_nothing(fresh_python):
    before = _installed(fresh_python)
    done = _run_cell(fresh_python, colab_setup_source("/nonexistent.whl"))
    assert done.returncode == 0, done.stderr
    assert _installed(fresh_python) == before


def test_a_failed_install_stops_the_cell(fresh_python, tmp_path):
    done = _run_cell(fresh_python, FAKE_COLAB + colab_setup_source(str(tmp_path / "missing.whl")))
    assert done.returncode != 0
    assert "CalledProcessError" in done.stderr
