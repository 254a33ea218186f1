"""The Gradescope bundle: its files, and run_autograder in a simulated /autograder layout.

setup.sh installs software, so it cannot run here: it is checked to be valid bash
that installs the wheel the bundle holds. run_autograder runs for real, with the
service's folders laid out in a temporary directory (AUTOGRADER_ROOT) and the
Python of this test session standing in for the bundle's virtual environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import rnncourse
from rnncourse.grading.autograder import BUNDLE_FILES, find_learner_notebooks
from rnncourse.grading.scoring import load_config
from rnncourse.notebooks import exercise_name, read_notebook, write_notebook

NAME = "01_sequences_and_the_recurrent_cell.ipynb"
LESSON01 = ["rnn_step", "rnn_forward", "simple_rnn_from_weights", "simple_rnn_param_count"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    work = tmp_path_factory.mktemp("bundle")
    (work / "points.toml").write_text(
        '[points]\nrnn_forward = 3\n[gradescope]\nvisibility = "after_published"\n'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnncourse",
            "autograder",
            "gradescope",
            "01",
            "--out",
            "ag",
            "--config",
            "points.toml",
        ],
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "ag"


def test_bundle_files(bundle, root):
    archive = zipfile.ZipFile(bundle / "autograder.zip")
    names = archive.namelist()
    wheels = [n for n in names if n.endswith(".whl")]
    assert len(wheels) == 1 and set(names) == {*BUNDLE_FILES, *wheels}  # all at the top
    assert re.fullmatch(r"rnncourse-[\w.]+-py3-none-any\.whl", wheels[0])
    for name in ("setup.sh", "run_autograder"):
        mode = archive.getinfo(name).external_attr >> 16
        assert mode & stat.S_IXUSR, f"{name} must be executable"
        done = subprocess.run(["bash", "-n", str(bundle / name)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    setup = (bundle / "setup.sh").read_text()
    assert f'WHEEL="$HERE/{wheels[0]}"' in setup and (bundle / wheels[0]).is_file()
    assert 'pip install --constraint "$HERE/constraints.txt" "$WHEEL"' in setup
    assert "git+" not in setup and "http" not in setup  # the course comes from the bundle
    # the wheel holds this course's package
    wheel = zipfile.ZipFile(bundle / wheels[0])
    assert "rnncourse/grading/autograder.py" in wheel.namelist()
    assert "rnncourse/checks/lesson01.py" in wheel.namelist()
    # dependencies pinned inside the course's supported range
    pins = (bundle / "constraints.txt").read_text().split()
    with open(root / "pyproject.toml", "rb") as handle:
        wanted = tomllib.load(handle)["project"]["dependencies"]
    assert {re.split(r"[<>=!~ ]", p)[0] for p in pins} == {
        re.split(r"[<>=!~ ]", w)[0] for w in wanted
    }
    config = load_config(bundle / "grading.toml")
    assert config.lessons == ("01",) and config.points == {"rnn_forward": 3}
    assert config.visibility == "after_published"


def layout(tmp_path: Path, bundle: Path) -> tuple[Path, dict]:
    """Gradescope's folders: source (the unzipped bundle), submission, results."""
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(bundle / "autograder.zip") as archive:
        archive.extractall(autograder / "source")
    shutil.copy(autograder / "source" / "run_autograder", autograder / "run_autograder")
    (autograder / "submission").mkdir()
    (autograder / "results").mkdir()
    env = dict(os.environ, AUTOGRADER_ROOT=str(autograder), RNNCOURSE_PYTHON=sys.executable)
    package_parent = str(Path(rnncourse.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    return autograder, env


def run_autograder(autograder: Path, env: dict) -> dict:
    done = subprocess.run(
        ["bash", str(autograder / "run_autograder")],
        capture_output=True,
        text=True,
        env=env,
        cwd=autograder,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((autograder / "results" / "results.json").read_text())


def check_results(data: dict) -> None:
    """Gradescope's results.json, field by field."""
    assert set(data) == {"score", "execution_time", "output", "tests"}
    assert isinstance(data["score"], int | float) and not isinstance(data["score"], bool)
    assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_run_autograder_grades_the_submission(bundle, tmp_path, root):
    autograder, env = layout(tmp_path, bundle)
    notebook = read_notebook(root / "solutions" / NAME)
    for cell in notebook["cells"]:
        if exercise_name(cell) == "rnn_forward":
            cell["source"] = "# EXERCISE: rnn_forward\nraise NotImplementedError('stub')\n"
    # any name: the only notebook of the submission is the learner's
    write_notebook(notebook, autograder / "submission" / "my homework.ipynb")
    data = run_autograder(autograder, env)
    check_results(data)
    assert [t["name"] for t in data["tests"]] == [f"{n} (lesson 01)" for n in LESSON01]
    assert [t["max_score"] for t in data["tests"]] == [1, 3, 1, 1]
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "passed", "passed"]
    assert data["score"] == 3
    assert {t["visibility"] for t in data["tests"]} == {"after_published"}
    assert "3 of 6 points" in data["output"]


def test_run_autograder_without_a_notebook(bundle, tmp_path):
    autograder, env = layout(tmp_path, bundle)
    (autograder / "submission" / "notes.txt").write_text("I forgot the notebook")
    data = run_autograder(autograder, env)
    check_results(data)
    assert data["score"] == 0 and len(data["tests"]) == 4
    assert all("no notebook for lesson 01" in t["output"] for t in data["tests"])
    assert "01_sequences_and_the_recurrent_cell.ipynb" in data["output"]


def test_run_autograder_when_python_is_missing(bundle, tmp_path):
    autograder, env = layout(tmp_path, bundle)
    env["RNNCOURSE_PYTHON"] = str(tmp_path / "no-python-here")
    data = run_autograder(autograder, env)
    assert data["score"] == 0 and data["tests"] == []
    assert "could not run" in data["output"]


def test_which_notebook_is_the_learners(tmp_path):
    sub = tmp_path / "submission"
    (sub / ".ipynb_checkpoints").mkdir(parents=True)
    (sub / ".ipynb_checkpoints" / NAME).write_text("{}")
    assert isinstance(find_learner_notebooks(sub, ["01"])["01"], str)  # checkpoints skipped
    (sub / "scratch.ipynb").write_text("{}")
    assert find_learner_notebooks(sub, ["01"])["01"] == sub / "scratch.ipynb"  # the only one
    (sub / "other.ipynb").write_text("{}")
    assert "no notebook for lesson 01" in find_learner_notebooks(sub, ["01"])["01"]
    (sub / "01_mine.ipynb").write_text("{}")
    (sub / NAME).write_text("{}")
    chosen = find_learner_notebooks(sub, ["01", "02"])
    assert chosen["01"] == sub / NAME  # named like the lesson wins
    assert "lesson 02" in chosen["02"]
