"""The GitHub Classroom workflow we ship: it cannot run in our CI, so its grading step's
script runs here, in a folder laid out like a learner's repository, and what it hands
to the reporter is decoded and checked."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import rnncourse
from rnncourse.notebooks import exercise_name, read_notebook, write_notebook

WORKFLOW = ".github/classroom/classroom.yml"
NAME = "01_sequences_and_the_recurrent_cell.ipynb"


@pytest.fixture(scope="module")
def workflow(root):
    return yaml.safe_load((root / WORKFLOW).read_text())


def steps(workflow):
    (job,) = workflow["jobs"].values()
    return job["steps"]


def run_step(workflow, repo: Path, tmp_path: Path) -> dict:
    """Run the grading step's script in ``repo``; return what it hands to the reporter."""
    script = next(s for s in steps(workflow) if s.get("id") == "rnncourse")["run"]
    output = tmp_path / "github_output"
    env = dict(os.environ, GITHUB_OUTPUT=str(output))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    package_parent = str(Path(rnncourse.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    key, value = output.read_text().strip().split("=", 1)
    assert key == "result"
    return json.loads(base64.b64decode(value))


def test_the_workflow_wires_the_reporter_to_the_grading_step(workflow):
    assert workflow["name"] == "Autograding Tests"
    assert set(workflow["on"]) == {"push", "repository_dispatch"}
    by_id = {s.get("id"): s for s in steps(workflow)}
    assert "rnncourse grade" in by_id["rnncourse"]["run"]
    reporter = steps(workflow)[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "rnncourse"
    assert reporter["env"]["RNNCOURSE_RESULTS"] == "${{ steps.rnncourse.outputs.result }}"


def test_the_workflow_pins_this_course(workflow, root):
    """The course's URL is written once, in pyproject.toml; the workflow must follow it."""
    with open(root / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    url, version = project["urls"]["Repository"], project["version"]
    assert workflow["env"]["COURSE"] == f"rnncourse @ git+{url}@v{version}"


def test_the_grading_step_runs_in_a_learners_repository(workflow, root, tmp_path):
    repo = tmp_path / "learner-repo"
    repo.mkdir()
    notebook = read_notebook(root / "solutions" / NAME)
    for cell in notebook["cells"]:
        if exercise_name(cell) == "rnn_forward":
            cell["source"] = (
                "# EXERCISE: rnn_forward\n"
                "raise NotImplementedError('write your code here, then run the check below')\n"
            )
    write_notebook(notebook, repo / NAME)
    (repo / "grading.toml").write_text("[points]\nrnn_step = 2\n")
    data = run_step(workflow, repo, tmp_path)
    assert data["version"] == 1 and data["status"] == "fail" and data["max_score"] == 5
    assert [(t["name"], t["status"], t["score"]) for t in data["tests"]] == [
        ("rnn_step", "pass", 2),
        ("rnn_forward", "fail", 0),
        ("simple_rnn_from_weights", "pass", 1),
        ("simple_rnn_param_count", "pass", 1),
    ]
    assert "replace the `raise NotImplementedError" in data["tests"][1]["message"]
    suite = ET.parse(repo / "junit.xml").getroot().find("testsuite")
    assert len(suite.findall("testcase")) == 4
    assert (repo / "feedback").is_dir() and list((repo / "feedback").glob("*.md"))


def test_the_grading_step_without_a_notebook(workflow, tmp_path):
    repo = tmp_path / "empty-repo"
    repo.mkdir()
    data = run_step(workflow, repo, tmp_path)
    assert data["status"] == "error" and data["tests"][0]["score"] == 0
