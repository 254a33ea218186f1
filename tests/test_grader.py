"""The grader: right verdicts, broken notebooks reported, learner code kept away from verdicts."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

import rnncourse
from rnncourse.grading import BROKEN, GRADED, format_table, grade_notebook, grade_paths, report_json
from rnncourse.grading import grader as grader_module
from rnncourse.notebooks import exercise_name, read_notebook, write_notebook

LESSON = "lessons/01_sequences_and_the_recurrent_cell.ipynb"

RIGHT = {
    "rnn_step": "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
    "    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)\n",
    "rnn_forward": "def rnn_forward(x, h0, W_xh, W_hh, b_h):\n"
    "    h, out = h0, []\n"
    "    for t in range(x.shape[1]):\n"
    "        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)\n"
    "        out.append(h)\n"
    "    return np.stack(out, axis=1)\n",
    "simple_rnn_from_weights": "def simple_rnn_from_weights(W_xh, W_hh, b_h):\n"
    "    layer = keras.layers.SimpleRNN(W_hh.shape[0], "
    "return_sequences=True)\n"
    "    layer.build((None, None, W_xh.shape[0]))\n"
    "    layer.set_weights([W_xh, W_hh, b_h])\n"
    "    return layer\n",
    "simple_rnn_param_count": "def simple_rnn_param_count(input_dim, units):\n"
    "    return units * (input_dim + units + 1)\n",
}


def learner_notebook(
    root: Path, tmp_path: Path, answers: dict, name="01_work.ipynb", setup: str | None = None
) -> Path:
    """The lesson notebook with some exercise cells replaced by ``answers``."""
    notebook = read_notebook(root / LESSON)
    for cell in notebook["cells"]:
        exercise = exercise_name(cell)
        if exercise in answers:
            cell["source"] = f"# EXERCISE: {exercise}\n{answers[exercise]}"
        if setup is not None and cell["source"].startswith("# SETUP"):
            cell["source"] = "# SETUP\n" + setup
    path = tmp_path / name
    write_notebook(notebook, path)
    return path


def statuses(result):
    return {v.exercise: v.status for v in result.verdicts}


def messages(result):
    return {v.exercise: v.message for v in result.verdicts}


@pytest.fixture
def short_limits(monkeypatch):
    monkeypatch.setattr(grader_module, "CELL_SECONDS", 3.0)
    monkeypatch.setattr(grader_module, "GRACE_SECONDS", 3.0)


def test_every_exercise_of_every_lesson_is_not_attempted(root):
    """The unsolved lessons: every exercise "not attempted". (tests/test_exercises.py
    grades the solutions, where every exercise must pass.)"""
    from rnncourse.checks import all_exercises

    results = grade_paths([root / "lessons"], jobs=2)
    assert len(results) == len(list((root / "solutions").glob("*.ipynb")))
    graded = set()
    for result in results:
        assert result.status == GRADED, format_table([result])
        assert set(statuses(result).values()) == {"not attempted"}, format_table([result])
        assert not result.passed
        graded |= set(statuses(result))
    assert graded == set(all_exercises()), "every registered exercise appears in a lesson"


def test_one_verdict_per_exercise_with_mixed_answers(root, tmp_path, short_limits):
    answers = {
        "rnn_step": "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h)\n    return 0\n",  # syntax error
        "rnn_forward": "while True:\n    pass\n",  # hangs at the top of the cell
        "simple_rnn_from_weights": RIGHT["simple_rnn_from_weights"],
        "simple_rnn_param_count": "def param_count(input_dim, units):\n    return 1\n",  # renamed
    }
    result = grade_notebook(learner_notebook(root, tmp_path, answers))
    assert result.status == GRADED
    assert statuses(result) == {
        "rnn_step": "failed",
        "rnn_forward": "failed",
        "simple_rnn_from_weights": "passed",
        "simple_rnn_param_count": "failed",
    }
    notes = messages(result)
    assert "SyntaxError" in notes["rnn_step"]
    assert "did not finish" in notes["rnn_forward"]
    assert "does not define `simple_rnn_param_count`" in notes["simple_rnn_param_count"]


def test_code_that_swallows_the_time_limit_is_stopped(root, tmp_path, short_limits):
    answers = dict(RIGHT)
    answers["rnn_forward"] = (
        "import time\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(100)\n"
        "    except BaseException:\n"
        "        pass\n"
    )
    # catches every exception inside the function: the check gets out all the same
    answers["rnn_step"] = (
        "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
        "    while True:\n"
        "        try:\n"
        "            sum(range(1000))\n"
        "        except BaseException:\n"
        "            continue\n"
    )
    # switches the alarm off: the grader kills the process and goes on
    answers["simple_rnn_param_count"] = (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n"
    )
    result = grade_notebook(learner_notebook(root, tmp_path, answers))
    assert statuses(result) == {
        "rnn_step": "failed",
        "rnn_forward": "failed",
        "simple_rnn_from_weights": "passed",
        "simple_rnn_param_count": "failed",
    }
    notes = messages(result)
    assert "did not finish within" in notes["rnn_forward"]
    assert "BaseException" in notes["rnn_forward"]
    assert "did not finish within" in notes["rnn_step"]
    assert "had to be stopped" in notes["simple_rnn_param_count"]


def test_exceptions_show_the_line_and_only_the_stub_is_not_attempted(root, tmp_path):
    answers = dict(RIGHT)
    answers["rnn_step"] = (
        "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
        "    z = x_t @ W_xh + h_prev @ W_hh\n"
        "    return np.tanh(z + b_h[:, None])\n"
    )
    answers["rnn_forward"] = (
        "def rnn_forward(x, h0, W_xh, W_hh, b_h):\n"
        "    raise NotImplementedError('the loop is missing')\n"
    )
    answers["simple_rnn_param_count"] = (
        "def simple_rnn_param_count(input_dim, units):\n"
        "    raise NotImplementedError('simple_rnn_param_count: write your code here')\n"
    )
    result = grade_notebook(learner_notebook(root, tmp_path, answers))
    notes = messages(result)
    assert statuses(result)["rnn_step"] == "failed"
    assert "(line 4: return np.tanh(z + b_h[:, None]))" in notes["rnn_step"]
    assert statuses(result)["rnn_forward"] == "failed"
    assert "line 3: raise NotImplementedError('the loop is missing')" in notes["rnn_forward"]
    assert statuses(result)["simple_rnn_param_count"] == "not attempted"


def test_sys_exit_ends_the_cell_as_in_a_notebook(root, tmp_path):
    """IPython catches SystemExit from a cell and keeps what the cell defined: so does the
    grader. Raised inside the learner's function, it fails the exercise in both."""
    from nbclient import NotebookClient

    answers = dict(RIGHT)
    answers["rnn_step"] = RIGHT["rnn_step"] + "import sys\nsys.exit(0)\n"
    answers["rnn_forward"] = (
        "def rnn_forward(x, h0, W_xh, W_hh, b_h):\n    import sys\n    sys.exit(0)\n"
    )
    path = learner_notebook(root, tmp_path, answers)
    result = grade_notebook(path)
    assert statuses(result)["rnn_step"] == "passed"
    assert statuses(result)["rnn_forward"] == "failed"
    assert "SystemExit" in messages(result)["rnn_forward"]

    # the same two cells and their check cells in a real kernel
    import nbformat

    cells = [nbformat.v4.new_code_cell(
        "# SETUP\nimport numpy as np\nfrom rnncourse.checks import check")]
    for cell in read_notebook(path)["cells"]:
        if exercise_name(cell) in ("rnn_step", "rnn_forward"):
            cells.append(nbformat.v4.new_code_cell(cell["source"]))
            cells.append(nbformat.v4.new_code_cell(f'check("{exercise_name(cell)}")'))
    executed = NotebookClient(
        nbformat.v4.new_notebook(cells=cells),
        timeout=120,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    printed = "\n".join(
        output.get("text", "")
        for cell in executed.cells
        if cell.get("source", "").startswith("check(")
        for output in cell.get("outputs", [])
    )
    assert "✅ rnn_step: passed" in printed
    assert "❌ rnn_forward: failed" in printed and "SystemExit" in printed


def test_a_process_that_exits_does_not_stop_grading(root, tmp_path):
    answers = dict(RIGHT)
    answers["rnn_step"] = "import os\nos._exit(0)\n"
    result = grade_notebook(learner_notebook(root, tmp_path, answers))
    assert statuses(result)["rnn_step"] == "failed"
    assert "crashed" in messages(result)["rnn_step"]
    assert statuses(result)["rnn_forward"] == "passed"
    assert statuses(result)["simple_rnn_param_count"] == "passed"


def test_broken_notebooks_are_reported_and_others_still_graded(root, tmp_path):
    not_json = tmp_path / "01_not_json.ipynb"
    not_json.write_text("{ this is not json")
    bad_import = learner_notebook(
        root,
        tmp_path,
        RIGHT,
        name="01_bad_import.ipynb",
        setup="import numpy as np\nimport no_such_module_here\n",
    )
    good = learner_notebook(root, tmp_path, RIGHT, name="01_good.ipynb")
    results = {Path(r.path).name: r for r in grade_paths([tmp_path], jobs=3)}
    assert results["01_not_json.ipynb"].status == BROKEN
    assert "not valid JSON" in results["01_not_json.ipynb"].message
    assert results["01_bad_import.ipynb"].status == BROKEN
    assert "ModuleNotFoundError" in results["01_bad_import.ipynb"].message
    assert results["01_good.ipynb"].passed
    table = " ".join(format_table(list(results.values())).split())  # undo the wrapping
    assert "broken" in table and "not valid JSON" in table
    assert bad_import.exists() and good.exists()


def test_missing_exercise_cell_and_foreign_notebook(root, tmp_path):
    notebook = read_notebook(root / LESSON)
    notebook["cells"] = [c for c in notebook["cells"] if exercise_name(c) != "rnn_forward"]
    path = tmp_path / "01_missing.ipynb"
    write_notebook(notebook, path)
    result = grade_notebook(path)
    assert statuses(result)["rnn_forward"] == "failed"
    assert "missing" in messages(result)["rnn_forward"]

    other = tmp_path / "notes.ipynb"
    write_notebook({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, other)
    assert grade_notebook(other).status == BROKEN


def test_redefining_the_check_or_patching_the_package_changes_nothing(root, tmp_path):
    wrong_step = (
        "import rnncourse.checks\n"
        "import rnncourse.checks.core as core\n"
        "import rnncourse.checks.exercise as exercise\n"
        "from rnncourse.checks import lesson01\n"
        "rnncourse.checks.check = lambda *a, **k: print('passed')\n"
        "core.compare_arrays = lambda *a, **k: None\n"
        "lesson01.RnnStep.judge = lambda self, case, value: None\n"
        "exercise.Exercise.verdict = lambda self, cases, observations: None\n"
        "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
        "    return np.tanh(x_t @ W_xh + h_prev @ W_hh)\n"
    )
    result = grade_notebook(learner_notebook(root, tmp_path, {**RIGHT, "rnn_step": wrong_step}))
    assert statuses(result)["rnn_step"] == "failed"
    assert "bias b_h seems missing" in messages(result)["rnn_step"]


def test_writing_into_the_package_or_start_up_files_voids_the_results(root, tmp_path, monkeypatch):
    # The child imports a private copy of the package, and the grader watches that copy and a
    # private site directory: other tests, in this process or in another pytest worker, keep
    # grading with the real package while this one writes into its files.
    copy = tmp_path / "isolated" / "rnncourse"
    shutil.copytree(
        Path(rnncourse.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    hook = site_dir / "zz_rnncourse_test_tamper.pth"
    real_environment = grader_module._child_environment

    def isolated_environment():
        env = real_environment()
        env["PYTHONPATH"] = os.pathsep.join([str(copy.parent), env["PYTHONPATH"]])
        return env

    def private_sentinel(self):
        self.package_dir, self.site_dirs = copy, [site_dir]

    monkeypatch.setattr(grader_module, "_child_environment", isolated_environment)
    monkeypatch.setattr(grader_module._Sentinel, "__init__", private_sentinel)
    real_target = Path(rnncourse.__file__).parent / "checks" / "lesson01.py"
    before = real_target.read_bytes()
    tamper = (
        "from pathlib import Path\n"
        "import rnncourse\n"
        "p = Path(rnncourse.__file__).parent / 'checks' / 'lesson01.py'\n"
        "p.write_text(p.read_text() + '\\n# tampered\\n')\n"
        f"Path({str(hook)!r}).write_text('# a start-up hook\\n')\n" + RIGHT["rnn_step"]
    )
    result = grade_notebook(learner_notebook(root, tmp_path, {**RIGHT, "rnn_step": tamper}))
    assert result.status == BROKEN
    assert "changed while this notebook's code ran" in result.message
    assert str(copy / "checks" / "lesson01.py") in result.message  # the copy was written
    assert "# tampered" in (copy / "checks" / "lesson01.py").read_text()
    assert not result.passed
    assert not hook.exists(), "a start-up hook written by learner code must be deleted"
    assert real_target.read_bytes() == before


def test_the_grader_watches_the_package_and_every_site_directory():
    sentinel = grader_module._Sentinel()
    assert sentinel.package_dir == Path(rnncourse.__file__).resolve().parent
    assert {Path(p) for p in site.getsitepackages()} <= set(sentinel.site_dirs)
    assert Path(site.getusersitepackages()) in sentinel.site_dirs


def test_cases_are_fresh_each_run(root):
    import numpy as np

    from rnncourse.checks import get_exercise

    exercise = get_exercise("rnn_step")
    first = exercise.cases(np.random.default_rng(1))
    second = exercise.cases(np.random.default_rng(2))
    assert not all(
        a[0].shape == b[0].shape and np.allclose(a[0], b[0]) for a, b in zip(first, second)
    )


def test_json_report_and_exit_codes(root, tmp_path):
    report = tmp_path / "report.json"
    solution = next((root / "solutions").glob("01_*.ipynb"))
    command = [sys.executable, "-m", "rnncourse", "grade", str(solution), "--json", str(report)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout
    data = json.loads(report.read_text())
    assert data["passed"] is True
    assert data["summary"]["passed"] == 4 and data["summary"]["failed"] == 0
    assert {e["status"] for e in data["notebooks"][0]["exercises"]} == {"passed"}

    lesson = next((root / "lessons").glob("01_*.ipynb"))
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse", "grade", str(lesson)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert done.returncode == 1
    assert "not attempted" in done.stdout

    done = subprocess.run(
        [sys.executable, "-m", "rnncourse", "grade", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert done.returncode == 2


def test_report_json_is_machine_readable(root):
    result = grader_module.NotebookResult("x.ipynb", "01", BROKEN, "cannot read")
    data = json.loads(report_json([result]))
    assert data["passed"] is False
    assert data["summary"]["broken notebooks"] == 1


def test_the_grader_with_seed_s_judges_the_cases_of_check_function_with_seed_s(root, tmp_path):
    """An answer right on some draws only (here: on cases whose first input starts with a
    positive number) gets, from `rnncourse grade --seed S`, the verdict that
    `check_function(name, fn, seed=S)` gives in the notebook; the report gives the seed."""
    from rnncourse.checks import check_function

    source = (
        "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
        "    out = np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)\n"
        "    return out if x_t.flat[0] > 0 else out + 1.0\n"
    )
    namespace = {"np": __import__("numpy")}
    exec(source, namespace)
    by_seed = {s: check_function("rnn_step", namespace["rnn_step"], seed=s).status
               for s in range(12)}
    picks = [next(s for s, v in by_seed.items() if v == status)
             for status in sorted(set(by_seed.values()))]
    assert len(picks) == 2, by_seed  # the answer passes some draws and fails others
    path = learner_notebook(root, tmp_path, {"rnn_step": source})
    for seed in picks:
        result = grade_notebook(path, seed=seed)
        assert statuses(result)["rnn_step"] == by_seed[seed]
        assert result.seed == seed and result.to_dict()["seed"] == seed
    assert isinstance(grade_notebook(path).seed, int)  # a fresh seed, reported
