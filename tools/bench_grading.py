"""Time the grader: per notebook, for a class folder, and where a notebook's time goes.

    python tools/bench_grading.py                  # all three parts
    python tools/bench_grading.py --part class --submissions 40 --jobs 2
    python tools/bench_grading.py --part phases --lesson 01

Parts:

``solutions``
    each of the eight solution notebooks graded alone (one at a time), in seconds;
``class``
    a folder of N lesson-01 submissions (copies of the lesson with the solution's
    answers; every fifth has a wrong answer, two are not valid JSON, two have a
    set-up cell that fails) graded with ``--jobs``, as ``rnncourse grade`` does:
    the wall time for the folder and per notebook;
``phases``
    where one notebook's time goes: the grader's child process is started on the
    job the grader would send it and the arrival of each of its events is timed
    (interpreter and imports, set-up cells, each exercise cell and its cases).

Measured on the course's 2-core machine (see the README's "Instructors" section
for the figures and the conditions they were taken in). Timings taken while other
work runs on the machine are inflated: the script prints the load average before
and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse.checks.core import encode  # noqa: E402
from rnncourse.checks.exercise import all_exercises  # noqa: E402
from rnncourse.grading import grader  # noqa: E402
from rnncourse.grading.report import scores_of  # noqa: E402
from rnncourse.grading.scoring import GradingConfig  # noqa: E402
from rnncourse.grading.submissions import find_submissions, grade_submissions  # noqa: E402
from rnncourse.notebooks import (  # noqa: E402
    exercise_name,
    graded_cells,
    lesson_of,
    read_notebook,
    write_notebook,
)

LESSON01 = "01_sequences_and_the_recurrent_cell.ipynb"
WRONG_STEP = (
    "# EXERCISE: rnn_step\n"
    "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
    "    return np.tanh(x_t @ W_xh + h_prev @ W_hh)\n"
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def bench_solutions(seed: int) -> dict[str, float]:
    times = {}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        started = time.monotonic()
        result = grader.grade_notebook(path, seed=seed)
        times[path.name] = time.monotonic() - started
        verdict = "all passed" if result.passed else f"NOT ALL PASSED ({result.status})"
        print(f"  {path.name:50s} {times[path.name]:6.1f} s  {verdict}", flush=True)
    print(f"  {'total':50s} {sum(times.values()):6.1f} s")
    return times


def make_class(folder: Path, n: int) -> None:
    """``n`` submissions of lesson 01: the lesson with the solution's answers; some broken."""
    solution = read_notebook(ROOT / "solutions" / LESSON01)
    answers = {exercise_name(c): c["source"] for c in solution["cells"] if exercise_name(c)}
    lesson = read_notebook(ROOT / "lessons" / LESSON01)
    for i in range(n):
        notebook = json.loads(json.dumps(lesson))
        for cell in notebook["cells"]:
            name = exercise_name(cell)
            if name:
                cell["source"] = answers[name]
                if name == "rnn_step" and i % 5 == 4:
                    cell["source"] = WRONG_STEP
            if i in (7, 23) and cell["source"].startswith("# SETUP"):
                cell["source"] = "# SETUP\nimport numpy as np\nimport not_installed_here\n"
        target = folder / f"learner{i:02d}" / LESSON01
        target.parent.mkdir(parents=True)
        if i in (11, 31):
            target.write_text("{ not json")
        else:
            write_notebook(notebook, target)


def bench_class(n: int, jobs: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rnncourse-bench-") as tmp:
        make_class(Path(tmp), n)
        submissions = find_submissions([tmp])
        started = time.monotonic()
        results = grade_submissions(submissions, jobs=jobs, seed=seed)
        wall = time.monotonic() - started
        scores = scores_of(results, GradingConfig(), [learner for _, learner in submissions])
    per = [r.seconds for r in results if r.status == grader.GRADED]
    statuses = {}
    for item in scores:
        key = f"{item.status}, {item.earned}/{item.possible}"
        statuses[key] = statuses.get(key, 0) + 1
    print(
        f"  {n} submissions, --jobs {jobs}: {wall:.1f} s in all, {wall / n:.2f} s per "
        f"submission; one notebook alone took {np.median(per):.1f} s (median of the graded "
        f"ones)"
    )
    print(f"  rows: {statuses}")
    return {
        "n": n,
        "jobs": jobs,
        "wall": wall,
        "median_notebook": float(np.median(per)),
        "rows": len(scores),
    }


def bench_phases(lesson_number: str, seed: int) -> list[tuple[str, float]]:
    """Start the grader's child on the job the grader would send and time each event."""
    path = next((ROOT / "solutions").glob(f"{lesson_number}_*.ipynb"))
    notebook = read_notebook(path)
    cells = graded_cells(notebook)
    exercises = all_exercises()
    lesson = lesson_of(notebook, path)
    names = [n for n in cells.exercises if exercises[n].lesson == lesson]
    rng = np.random.default_rng(seed)
    job = {
        "setup": cells.setup,
        "cell_time_limit": grader.CELL_SECONDS,
        "exercises": [
            {
                "name": n,
                "source": cells.exercises[n],
                "cases": [encode(list(c)) for c in exercises[n].cases(rng)],
            }
            for n in names
        ],
    }
    marks = []
    with tempfile.TemporaryDirectory(prefix="rnncourse-bench-") as workdir:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "rnncourse.grading.runner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env=grader._child_environment(),
        )
        process.stdin.write(json.dumps(job).encode())
        process.stdin.close()
        last = started
        label = "start, imports (NumPy, the checks, TensorFlow and Keras)"
        for line in process.stdout:
            event = json.loads(line)
            now = time.monotonic()
            if event["event"] == "phase":
                marks.append((label, now - last))
                last = now
                label = {
                    "setup": "set-up cell",
                    "cell": f"exercise cell {event['exercise']}",
                    "cases": f"cases of {event['exercise']}",
                }[event["phase"]]
            elif event["event"] == "done":
                marks.append((label, now - last))
                break
        process.wait()
    # for comparison: the same interpreter importing only what a set-up cell imports
    imports = {}
    for what, code in [
        ("python -c pass", "pass"),
        ("import numpy", "import numpy"),
        (
            "import the checks (all lessons)",
            "from rnncourse.checks.exercise import all_exercises; all_exercises()",
        ),
        (
            "import_keras_quietly()",
            "from rnncourse.environment import import_keras_quietly; import_keras_quietly()",
        ),
    ]:
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", code], env=grader._child_environment(), check=True)
        imports[what] = time.monotonic() - t
    for name, seconds in marks:
        print(f"  {name:60s} {seconds:6.2f} s")
    print(f"  {'total':60s} {sum(s for _, s in marks):6.2f} s")
    print("  separate processes, for comparison:")
    for name, seconds in imports.items():
        print(f"    {name:58s} {seconds:6.2f} s")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["solutions", "class", "phases", "all"], default="all")
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lesson", default="01", help="the lesson of the phases part")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(load())
    t = time.monotonic()
    all_exercises()
    print(
        f"grader's own start (imports the checks, and with them TensorFlow): "
        f"{time.monotonic() - t:.1f} s"
    )
    if args.part in ("phases", "all"):
        print(f"\nwhere one notebook's time goes (lesson {args.lesson}):")
        bench_phases(args.lesson, args.seed)
    if args.part in ("solutions", "all"):
        print("\neach solution notebook graded alone:")
        bench_solutions(args.seed)
    if args.part in ("class", "all"):
        print(f"\na class folder of lesson {LESSON01[:2]}:")
        bench_class(args.submissions, args.jobs, args.seed)
    print("\n" + load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
