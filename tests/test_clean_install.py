"""The package works from a wheel, in an environment that never saw the checkout.

A fresh virtual environment gets the wheel (``--no-deps``) and borrows the
already-installed TensorFlow, Keras and NumPy through a path entry (there is no
network to install them again). Everything then runs from a folder outside the
repository: nothing may depend on the source tree (data files must be package
data).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
import venv

import pytest


@pytest.fixture(scope="module")
def clean_python(wheel, tmp_path_factory):
    env_dir = tmp_path_factory.mktemp("clean") / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    # Only a path entry: the development environment's own .pth files (among them the
    # editable install of rnncourse) are not processed, so rnncourse comes from the wheel.
    with open(f"{site_packages}/zz_borrowed_dependencies.pth", "w") as handle:
        handle.write(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _run(python, code, cwd):
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=cwd)


def test_the_wheel_is_what_gets_imported_and_its_data_is_there(clean_python, tmp_path, root):
    code = (
        "import json, rnncourse\n"
        "from rnncourse.data import load_corpus\n"
        "text = load_corpus('tinyshakespeare')\n"
        "print(json.dumps({'file': rnncourse.__file__, 'chars': len(text)}))\n"
    )
    done = _run(clean_python, code, tmp_path)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert str(root) not in info["file"], "rnncourse was imported from the checkout"
    assert info["chars"] > 1_000_000


def test_grading_works_from_the_wheel(clean_python, tmp_path, root):
    notebook = next((root / "solutions").glob("01_*.ipynb"))
    shutil.copy(notebook, tmp_path / notebook.name)
    done = subprocess.run(
        [str(clean_python), "-m", "rnncourse", "grade", notebook.name, "--json", "report.json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["passed"] and report["summary"]["passed"] >= 4


def test_the_installed_grader_notices_a_modified_installation(clean_python, tmp_path):
    locate = "import rnncourse.checks.lesson01 as m; print(m.__file__)"
    module = _run(clean_python, locate, tmp_path).stdout.strip()
    original = open(module).read()
    try:
        with open(module, "a") as handle:
            handle.write("\n# changed after installation\n")
        done = subprocess.run([str(clean_python), "-m", "rnncourse", "grade", "."],
                              capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2
        assert "has been modified" in done.stderr
    finally:
        with open(module, "w") as handle:
            handle.write(original)
