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

import rnncourse
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


VERSION = rnncourse.__version__


def test_in_colab_the_cell_installs_the_package_and_nothing_else(fresh_python, wheel):
    before = _installed(fresh_python)
    # the pinned release is tried first; when it cannot be had, the next source is used
    cell = colab_setup_source(VERSION, ["/nonexistent-release.whl", str(wheel)])
    done = _run_cell(fresh_python, FAKE_COLAB + cell)
    assert done.returncode == 0, done.stderr
    assert f"Installed {wheel}" in done.stdout
    assert _installed(fresh_python) - before == {"rnncourse"}
    assert not {"tensorflow", "keras", "numpy", "matplotlib"} & _installed(fresh_python)
    # run again: the right version is installed, nothing to do (and no error)
    again = _run_cell(fresh_python, FAKE_COLAB + colab_setup_source(VERSION, ["/nonexistent.whl"]))
    assert again.returncode == 0, again.stderr
    assert "Installed" not in again.stdout
    # a notebook made for another version reinstalls (here it cannot: the source is missing)
    other = _run_cell(fresh_python, FAKE_COLAB + colab_setup_source("0.0.1", ["/nonexistent.whl"]))
    assert other.returncode != 0 and "Could not install the course package" in other.stderr


def test_outside_colab_the_cell_does_nothing(fresh_python):
    before = _installed(fresh_python)
    cell = colab_setup_source(VERSION, ["/nonexistent.whl"])
    show = "\nimport os; print(os.environ['RNNCOURSE_NOTEBOOK_VERSION'])"
    done = _run_cell(fresh_python, cell + show)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == VERSION
    assert _installed(fresh_python) == before


def test_a_failed_install_stops_the_cell(fresh_python, tmp_path):
    cell = colab_setup_source(VERSION, [str(tmp_path / "missing.whl")])
    done = _run_cell(fresh_python, FAKE_COLAB + cell)
    assert done.returncode != 0
    assert "Could not install the course package" in done.stderr


def test_setup_warns_when_the_package_is_another_version(monkeypatch):
    from rnncourse import environment

    assert environment.package_mismatch(None) is None
    assert environment.package_mismatch(VERSION) is None
    warning = environment.package_mismatch("0.0.1")
    assert "made for version 0.0.1" in warning and f"version {VERSION} is installed" in warning
