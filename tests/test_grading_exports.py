"""Points and exports, on hand-made grading results (no notebook is run here).

Each export is read back with the tool of its format: the CSV with the csv
module, the JUnit file with xml.etree, the Gradescope and Classroom results
field by field.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rnncourse.checks.core import FAILED, NOT_ATTEMPTED, PASSED, Verdict
from rnncourse.checks.exercise import Exercise, all_exercises, exercises_of_lesson
from rnncourse.grading import exports
from rnncourse.grading.grader import BROKEN, GRADED, NotebookResult
from rnncourse.grading.report import format_table, report_json, scores_of
from rnncourse.grading.scoring import ConfigError, GradingConfig, load_config, parse_config
from rnncourse.grading.submissions import (
    LESSON_FILES,
    find_submissions,
    grade_safely,
    learner_from_name,
)

LESSON01 = ["rnn_step", "rnn_forward", "simple_rnn_from_weights", "simple_rnn_param_count"]
NAME = "01_sequences_and_the_recurrent_cell.ipynb"


def result(path, statuses, status=GRADED, message="", lesson="01", seconds=2.0):
    verdicts = [Verdict(n, s, f"{n} says {s}, with a comma, and a | bar") for n, s in statuses]
    return NotebookResult(path, lesson, status, message, verdicts, seconds)


@pytest.fixture
def results():
    return [
        result(f"subs/alice/{NAME}", [(n, PASSED) for n in LESSON01]),
        result(
            f"subs/bob/{NAME}",
            [
                ("rnn_step", PASSED),
                ("rnn_forward", FAILED),
                ("simple_rnn_from_weights", NOT_ATTEMPTED),
                ("simple_rnn_param_count", PASSED),
            ],
        ),
        NotebookResult(f"subs/carol_{NAME}", None, BROKEN, "subs/carol is not valid JSON"),
        result(
            f"subs/dave/{NAME}",
            [(n, FAILED) for n in LESSON01],
            BROKEN,
            "the set-up cell raised ModuleNotFoundError",
        ),
    ]


LEARNERS = ["alice", "bob", "carol", "dave"]
CONFIG = GradingConfig(points={"rnn_step": 2, "rnn_forward": 3}, drop=frozenset())


def scores(results, config=CONFIG):
    return scores_of(results, config, LEARNERS)


# --------------------------------------------------------------------------
# Points and the course file
# --------------------------------------------------------------------------


def test_points_default_to_one_and_the_class_attribute():
    assert Exercise.points == 1
    assert all(ex.points > 0 for ex in all_exercises().values())


def test_points_all_or_nothing_with_overrides(results):
    alice, bob, carol, dave = scores(results)
    assert (alice.earned, alice.possible, alice.percentage) == (7, 7, 100.0)
    assert [e.earned for e in bob.exercises] == [2, 0, 0, 1]
    assert (bob.earned, bob.possible) == (3, 7)
    assert bob.percentage == pytest.approx(100 * 3 / 7, abs=0.01)
    # unreadable: its file name says lesson 01, so it is held to lesson 01's 7 points
    assert (carol.lesson, carol.earned, carol.possible) == ("01", 0, 7)
    assert all(e.message == "subs/carol is not valid JSON" for e in carol.exercises)
    # set-up failed: zero, and the reason
    assert (dave.earned, dave.possible) == (0, 7)
    assert "ModuleNotFoundError" in dave.message
    assert [s.passed for s in (alice, bob, carol, dave)] == [True, False, False, False]


def test_dropped_exercises_count_nowhere(results):
    config = GradingConfig(drop=frozenset({"simple_rnn_from_weights"}))
    bob = scores(results, config)[1]
    assert [e.exercise for e in bob.exercises] == [
        "rnn_step",
        "rnn_forward",
        "simple_rnn_param_count",
    ]
    assert (bob.earned, bob.possible) == (2, 3)
    text = exports.gradebook_csv(scores(results, config), config)
    assert "simple_rnn_from_weights" not in text


def test_lesson_outside_the_assignment_earns_nothing(results):
    config = GradingConfig(lessons=("02",))
    alice = scores(results, config)[0]
    assert alice.possible == 0 and alice.earned == 0
    assert "not part of this assignment" in alice.message
    columns = exports.csv_columns([alice], config)[4:-4]
    assert columns == [f"{n} (1 point)" for n in exercises_of_lesson("02")]


def test_config_file_parsed_and_checked(tmp_path):
    path = tmp_path / "grading.toml"
    path.write_text(
        '[assignment]\nlessons = ["01"]\ndrop = ["simple_rnn_param_count"]\n'
        '[points]\nrnn_step = 2.5\n[gradescope]\nvisibility = "hidden"\n'
    )
    config = load_config(path)
    assert config.points == {"rnn_step": 2.5}
    assert config.points_for("rnn_step") == 2.5 and config.points_for("rnn_forward") == 1
    assert config.points_for("simple_rnn_param_count") == 0
    assert config.exercises_of("01") == LESSON01[:3]
    assert config.visibility == "hidden" and config.source == str(path)
    # the default lookup: grading.toml in the folder, else the class defaults
    assert load_config(folder=tmp_path).points == {"rnn_step": 2.5}
    assert load_config(folder=tmp_path / "nowhere") == GradingConfig()


@pytest.mark.parametrize(
    "data, words",
    [
        ({"points": {"rnn_stepp": 2}}, "no exercise called 'rnn_stepp'"),
        ({"points": {"rnn_step": -1}}, "must not be negative"),
        ({"points": {"rnn_step": "two"}}, "must be a number"),
        ({"points": {"rnn_step": True}}, "must be a number"),
        ({"assignment": {"lessons": ["99"]}}, "no lesson '99'"),
        ({"assignment": {"drop": "rnn_step"}}, "list of exercise names"),
        ({"assignment": {"dropped": []}}, "unknown key"),
        ({"pionts": {}}, "unknown section"),
        ({"gradescope": {"visibility": "public"}}, "visibility"),
    ],
)
def test_config_mistakes_are_named(data, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        parse_config(data)


def test_the_shipped_course_file_loads(root):
    config = load_config(root / "grading.toml")
    assert config.visibility in ("visible", "hidden", "after_due_date", "after_published")


# --------------------------------------------------------------------------
# Learners and submissions
# --------------------------------------------------------------------------


def test_lesson_file_names_match_the_lessons(root):
    assert sorted(LESSON_FILES.values()) == sorted(
        p.stem for p in (root / "lessons").glob("*.ipynb")
    )


@pytest.mark.parametrize(
    "stem, learner",
    [
        ("alice_01_sequences_and_the_recurrent_cell", "alice"),
        ("01_sequences_and_the_recurrent_cell-bob", "bob"),
        ("smith_123_01_sequences_and_the_recurrent_cell", "smith_123"),
        ("01_sequences_and_the_recurrent_cell", "01_sequences_and_the_recurrent_cell"),
        ("carol", "carol"),
    ],
)
def test_learner_from_file_name(stem, learner):
    assert learner_from_name(stem) == learner


def test_learner_from_folder(tmp_path):
    for rel in (
        f"subs/alice/{NAME}",
        f"subs/bob/week1/{NAME}",
        f"subs/carol_{NAME}",
        "subs/.ipynb_checkpoints/x.ipynb",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found = find_submissions([tmp_path / "subs", tmp_path / f"subs/alice/{NAME}"])
    assert [learner for _, learner in found] == [
        "alice",
        "bob",
        "carol",
        "01_sequences_and_the_recurrent_cell",
    ]


def test_a_grader_failure_is_a_row_with_the_reason(monkeypatch, tmp_path):
    from rnncourse.grading import submissions

    def explode(path, seed=None):
        raise OSError("disk full")

    monkeypatch.setattr(submissions, "grade_notebook", explode)
    broken = grade_safely(tmp_path / f"x_{NAME}")
    assert broken.status == BROKEN and "disk full" in broken.message
    item = scores_of([broken], GradingConfig(), ["x"])[0]
    assert (item.lesson, item.earned, item.possible) == ("01", 0, 4)


# --------------------------------------------------------------------------
# Table and JSON report
# --------------------------------------------------------------------------


def test_table_shows_points_per_exercise_and_total(results):
    table = format_table(results, width=200, scores=scores(results))
    assert "points" in table.splitlines()[0]
    assert "2/2" in table and "0/3" in table and "(total)" in table
    assert "7/7" in table and "3/7" in table
    assert "10 of 28 points" in table


def test_json_report_has_points(results):
    data = json.loads(report_json(results, scores=scores(results), config=CONFIG))
    assert data["summary"]["points"] == 10 and data["summary"]["max_points"] == 28
    bob = data["notebooks"][1]
    assert (bob["learner"], bob["points"], bob["max_points"]) == ("bob", 3, 7)
    assert [e["points"] for e in bob["exercises"]] == [2, 0, 0, 1]
    assert [e["max_points"] for e in bob["exercises"]] == [2, 3, 1, 1]
    assert data["passed"] is False


# --------------------------------------------------------------------------
# Gradebook CSV
# --------------------------------------------------------------------------


def bare(column: str) -> str:
    """The exercise's name of a gradebook column (``rnn_step (2 points)`` -> ``rnn_step``)."""
    return column.split(" (")[0]


def test_gradebook_csv_reads_back(results, tmp_path):
    path = tmp_path / "gradebook.csv"
    exports.write_csv(path, scores(results), CONFIG)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header == [
        "learner",
        "notebook",
        "lesson",
        "status",
        "rnn_step (2 points)",
        "rnn_forward (3 points)",
        "simple_rnn_from_weights (1 point)",
        "simple_rnn_param_count (1 point)",
        "total",
        "max_points",
        "percentage",
        "message",
    ]
    table = [dict(zip(map(bare, header), row)) for row in rows[1:]]
    assert [r["learner"] for r in table] == LEARNERS  # one row per submission, none missing
    assert [r["total"] for r in table] == ["7", "3", "0", "0"]
    assert {r["max_points"] for r in table} == {"7"}
    assert table[1]["rnn_step"] == "2" and table[1]["rnn_forward"] == "0"
    assert table[1]["percentage"] == "42.86"
    assert table[2]["status"] == "broken" and "not valid JSON" in table[2]["message"]
    assert table[3]["message"].startswith("the set-up cell raised")


def test_gradebook_columns_are_stable(results):
    a = exports.gradebook_csv(scores(results), CONFIG).splitlines()[0]
    b = exports.gradebook_csv(scores(list(reversed(results))), CONFIG).splitlines()[0]
    assert a == b


def test_gradebook_across_lessons_leaves_other_lessons_empty():
    two = [
        result(f"subs/alice/{NAME}", [(n, PASSED) for n in LESSON01]),
        result(
            "subs/alice/02_backpropagation_through_time.ipynb",
            [(n, PASSED) for n in exercises_of_lesson("02")],
            lesson="02",
        ),
    ]
    text = exports.gradebook_csv(
        scores_of(two, GradingConfig(), ["alice", "alice"]), GradingConfig()
    )
    rows = [{bare(k): v for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]
    assert list(rows[0])[4:-4] == LESSON01 + exercises_of_lesson("02")
    assert rows[0]["bptt_backward"] == "" and rows[1]["rnn_step"] == ""
    assert rows[1]["bptt_backward"] == "1"


# --------------------------------------------------------------------------
# JUnit XML
# --------------------------------------------------------------------------


def test_junit_one_testcase_per_exercise(results, tmp_path):
    path = tmp_path / "report.xml"
    results[1].verdicts[1] = Verdict("rnn_forward", FAILED, "control \x1b char & <tag>")
    exports.write_junit(path, scores(results))
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 4
    assert root.get("tests") == "16"
    assert root.get("failures") == "2" and root.get("errors") == "8"
    bob = suites[1]
    assert bob.get("name") == f"bob: {NAME}"
    cases = bob.findall("testcase")
    assert [c.get("name") for c in cases] == LESSON01
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure.get("message") == "control ? char & <tag>"
    assert cases[2].find("failure").get("type") == NOT_ATTEMPTED
    props = {p.get("name"): p.get("value") for p in bob.find("properties")}
    assert (props["points"], props["max_points"], props["learner"]) == ("3", "7", "bob")
    carol = suites[2]
    assert all(c.find("error") is not None for c in carol.findall("testcase"))
    assert "not valid JSON" in carol.find("testcase/error").get("message")


# --------------------------------------------------------------------------
# Gradescope and GitHub Classroom
# --------------------------------------------------------------------------


def validate_gradescope(data: dict) -> None:
    """The fields of Gradescope's results.json that the course writes, with their types."""
    assert set(data) == {"score", "execution_time", "output", "tests"}
    assert isinstance(data["score"], int | float)
    assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert isinstance(test["name"], str) and test["name"]
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert (test["status"] == "passed") == (test["score"] == test["max_score"] > 0)
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def test_gradescope_results_field_by_field(results, tmp_path):
    path = tmp_path / "results.json"
    exports.write_gradescope(path, scores(results)[1:2], CONFIG)
    data = json.loads(path.read_text())
    validate_gradescope(data)
    assert data["score"] == 3 and data["execution_time"] == 2
    assert [t["name"] for t in data["tests"]] == [f"{n} (lesson 01)" for n in LESSON01]
    assert [t["max_score"] for t in data["tests"]] == [2, 3, 1, 1]
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed", "passed"]
    assert (
        data["tests"][1]["output"] == "failed: rnn_forward says failed, with a comma, and a | bar"
    )
    assert "3 of 7 points" in data["output"]


def test_gradescope_results_of_a_broken_notebook(results):
    data = exports.gradescope_results(scores(results)[3:], GradingConfig(visibility="hidden"))
    validate_gradescope(data)
    assert data["score"] == 0 and len(data["tests"]) == 4
    assert {t["visibility"] for t in data["tests"]} == {"hidden"}
    assert "ModuleNotFoundError" in data["output"]


def test_classroom_results(results):
    data = exports.classroom_results(scores(results)[1:2])
    assert data["version"] == 1 and data["status"] == "fail" and data["max_score"] == 7
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "fail", "pass"]
    assert sum(t["score"] for t in data["tests"]) == 3
    assert exports.classroom_results(scores(results)[:1])["status"] == "pass"
    assert exports.classroom_results(scores(results)[3:])["status"] == "error"


# --------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------


def test_feedback_per_submission(results, tmp_path):
    written = exports.write_feedback(tmp_path / "feedback", scores(results))
    assert [p.name for p in written] == ["alice.md", "bob.md", "carol.md", "dave.md"]
    bob = Path(written[1]).read_text()
    assert "**3 of 7**" in bob and "| `rnn_forward` | ❌ failed | 0 / 3 |" in bob
    assert "## `rnn_forward`: failed" in bob and "rnn_forward says failed" in bob
    assert "ModuleNotFoundError" in Path(written[3]).read_text()


def test_feedback_names_stay_unique():
    two = [
        result(f"a/{NAME}", []),
        result("a/02_backpropagation_through_time.ipynb", [], lesson="02"),
    ]
    names = exports.feedback_names(scores_of(two, GradingConfig(), ["a/b", "a/b"]))
    assert names == [
        "a_b_01_sequences_and_the_recurrent_cell.md",
        "a_b_02_backpropagation_through_time.md",
    ]
