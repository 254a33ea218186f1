"""`rnncourse grade` on a small class: a gradebook, JUnit XML, a JSON report and feedback
from one run, with points from the folder's grading.toml; no submission ever goes missing."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rnncourse.grading import grader as grader_module
from rnncourse.grading.report import scores_of
from rnncourse.grading.scoring import GradingConfig
from rnncourse.grading.submissions import find_submissions, grade_submissions
from rnncourse.notebooks import exercise_name, read_notebook, write_notebook

NAME = "01_sequences_and_the_recurrent_cell.ipynb"
LESSON01 = ["rnn_step", "rnn_forward", "simple_rnn_from_weights", "simple_rnn_param_count"]
NO_BIAS = (
    "# EXERCISE: rnn_step\n"
    "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
    "    return np.tanh(x_t @ W_xh + h_prev @ W_hh)\n"
)


def submission(
    root: Path, target: Path, *, cells: dict | None = None, setup: str | None = None
) -> Path:
    """The solution of lesson 01 with some cells replaced (by exercise name, or the set-up)."""
    notebook = read_notebook(root / "solutions" / NAME)
    for cell in notebook["cells"]:
        name = exercise_name(cell)
        if cells and name in cells:
            cell["source"] = cells[name]
        if setup is not None and cell["source"].startswith("# SETUP"):
            cell["source"] = "# SETUP\n" + setup
    target.parent.mkdir(parents=True, exist_ok=True)
    write_notebook(notebook, target)
    return target


def run_cli(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rnncourse", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture(scope="module")
def graded_class(root, tmp_path_factory):
    """One `rnncourse grade` run over four submissions, with every export."""
    work = tmp_path_factory.mktemp("class")
    subs = work / "subs"
    submission(root, subs / "alice" / NAME)
    submission(root, subs / "bob" / NAME, cells={"rnn_step": NO_BIAS})
    (subs / f"carol_{NAME}").write_text("{ this is not json")
    submission(root, subs / "dave" / NAME, setup="import numpy as np\nimport no_such_module\n")
    (work / "grading.toml").write_text(
        '[assignment]\ndrop = ["simple_rnn_param_count"]\n[points]\nrnn_step = 2\n'
    )
    done = run_cli(
        [
            "grade",
            "subs",
            "--jobs",
            "2",
            "--csv",
            "out/gradebook.csv",
            "--junit",
            "out/report.xml",
            "--json",
            "out/report.json",
            "--feedback",
            "out/feedback",
        ],
        work,
    )
    return work, done


def test_exit_status_and_table(graded_class):
    work, done = graded_class
    assert done.returncode == 1, done.stdout + done.stderr
    assert "points from grading.toml" in done.stdout
    assert "(total)" in done.stdout and "4/4" in done.stdout


def test_gradebook_has_one_row_per_submission(graded_class):
    work, _ = graded_class
    with (work / "out" / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [{k.split(" (")[0]: v for k, v in row.items()} for row in reader]
    assert reader.fieldnames[4:-4] == [  # dropped: no column
        "rnn_step (2 points)",
        "rnn_forward (1 point)",
        "simple_rnn_from_weights (1 point)",
    ]
    assert [r["learner"] for r in rows] == ["alice", "bob", "carol", "dave"]
    assert [(r["total"], r["max_points"]) for r in rows] == [
        ("4", "4"),
        ("2", "4"),
        ("0", "4"),
        ("0", "4"),
    ]
    assert rows[1]["rnn_step"] == "0" and rows[1]["rnn_forward"] == "1"
    assert rows[2]["status"] == "broken" and "not valid JSON" in rows[2]["message"]
    assert "no_such_module" in rows[3]["message"]


def test_junit_and_json_and_feedback(graded_class):
    work, _ = graded_class
    suites = ET.parse(work / "out" / "report.xml").getroot().findall("testsuite")
    assert [len(s.findall("testcase")) for s in suites] == [3, 3, 3, 3]
    bob_step = suites[1].find("testcase[@name='rnn_step']/failure")
    assert "bias b_h seems missing" in bob_step.get("message")
    data = json.loads((work / "out" / "report.json").read_text())
    assert data["dropped"] == ["simple_rnn_param_count"]
    assert [n["points"] for n in data["notebooks"]] == [4, 2, 0, 0]
    assert data["summary"]["max_points"] == 16
    feedback = sorted(p.name for p in (work / "out" / "feedback").iterdir())
    assert feedback == ["alice.md", "bob.md", "carol.md", "dave.md"]
    assert "bias b_h seems missing" in (work / "out" / "feedback" / "bob.md").read_text()


def test_usage_errors_exit_2(graded_class):
    work, _ = graded_class
    bad = work / "bad.toml"
    bad.write_text("[points]\nrnn_stepp = 2\n")
    done = run_cli(["grade", "subs", "--config", str(bad)], work)
    assert done.returncode == 2 and "rnn_stepp" in done.stderr
    done = run_cli(["grade", "subs", "--gradescope", "r.json"], work)
    assert done.returncode == 2 and "one submission" in done.stderr


def test_a_hanging_set_up_is_a_row_with_zero_points(root, tmp_path, monkeypatch):
    monkeypatch.setattr(grader_module, "CELL_SECONDS", 3.0)
    monkeypatch.setattr(grader_module, "GRACE_SECONDS", 3.0)
    path = submission(root, tmp_path / "erin" / NAME, setup="while True:\n    pass\n")
    found = find_submissions([tmp_path])
    results = grade_submissions(found, jobs=1)
    (item,) = scores_of(results, GradingConfig(), [learner for _, learner in found])
    assert item.learner == "erin" and item.path == str(path)
    assert (item.status, item.earned, item.possible) == ("broken", 0, 4)
    assert "did not finish" in item.message
