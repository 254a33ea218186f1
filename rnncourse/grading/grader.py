"""The grader's side: run a notebook's exercises in a child process and judge.

For each notebook :func:`grade_notebook`

1. reads it and finds its set-up and exercise cells (a notebook that cannot
   be read is reported as broken, not raised);
2. draws fresh cases for every exercise of the lesson from a random seed;
3. starts ``python -m rnncourse.grading.runner`` in a temporary directory, in
   its own process group, and sends it the cells and the cases;
4. reads the plain values it sends back, under time limits per step: a step
   that hangs gets its exercise failed, the process is killed and a new one
   goes on with the exercises after it;
5. judges the values in this process with the exercise's ``verdict``;
6. checks that the child left the package's files and Python's start-up
   hooks as they were, and fails the notebook if not (see :class:`_Sentinel`).

This is isolation between the learner's code and the verdict, not a sandbox
for hostile code: grade untrusted submissions inside a container.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import queue
import secrets
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import rnncourse
from rnncourse.checks.core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    Verdict,
    decode_observation,
    encode,
    failure_for_observation,
)
from rnncourse.checks.exercise import all_exercises, exercises_of_lesson
from rnncourse.notebooks import NotebookError, graded_cells, lesson_of, read_notebook

GRADED = "graded"
BROKEN = "broken"

#: seconds allowed for the child to start and run the set-up cells
SETUP_SECONDS = 120.0
#: seconds one exercise cell may take to run (it should only define functions)
CELL_SECONDS = 30.0
#: extra seconds before the grader kills a child whose own time limit failed
GRACE_SECONDS = 15.0


@dataclass
class NotebookResult:
    """The grading of one notebook."""

    path: str
    lesson: str | None
    status: str
    message: str = ""
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0
    #: the seed the test cases were drawn from: ``check_function(name, fn, seed=seed)``
    #: in the notebook judges the same cases
    seed: int | None = None

    @property
    def passed(self) -> bool:
        return self.status == GRADED and all(v.passed for v in self.verdicts)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "lesson": self.lesson,
            "status": self.status,
            "message": self.message,
            "passed": self.passed,
            "seconds": round(self.seconds, 2),
            "seed": self.seed,
            "exercises": [v.to_dict() for v in self.verdicts],
        }


# --------------------------------------------------------------------------
# Keeping the package and the site directories as they were
# --------------------------------------------------------------------------


class _Sentinel:
    """Notices a child that changes the package's files or adds Python start-up hooks.

    The verdicts of the current run are safe whatever the child writes (they
    are decided by code this process loaded before any child started). The
    danger is to later runs: a changed package file, or a ``.pth`` or
    ``sitecustomize`` file in a site directory, would run inside a future
    grader. So the grader compares the package's files before and after each
    child and fails the notebook if they changed (it does not write them back:
    someone may be editing the package), and deletes start-up hooks that
    appeared while the child ran. ``verify_installation`` catches a package
    changed between runs, for installed (non-editable) copies.
    """

    def __init__(self):
        self.package_dir = Path(rnncourse.__file__).resolve().parent
        self.site_dirs = [Path(p) for p in {*site.getsitepackages(), site.getusersitepackages()}]

    def snapshot(self) -> dict[str, str]:
        state = {}
        for path in self.package_dir.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                try:
                    state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    state[str(path)] = "unreadable"
        for directory in self.site_dirs:
            try:
                entries = list(directory.iterdir())
            except OSError:
                continue
            for path in entries:
                if path.suffix == ".pth" or "customize" in path.name:
                    state[str(path)] = "start-up hook"
        return state

    def changes(self, before: dict[str, str], after: dict[str, str]) -> list[str]:
        """What differs; start-up hooks that appeared are deleted on the way."""
        changed = []
        for name in sorted(set(before) | set(after)):
            if before.get(name) == after.get(name):
                continue
            changed.append(name)
            if name not in before and after[name] == "start-up hook":
                Path(name).unlink(missing_ok=True)
        return changed


def verify_installation() -> list[str]:
    """Installed files of ``rnncourse`` whose hash differs from its wheel's RECORD.

    Empty for an editable install (whose RECORD lists no module files).
    """
    try:
        files = importlib.metadata.files("rnncourse") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    changed = []
    for file in files:
        if file.hash is None or file.hash.mode != "sha256":
            continue
        path = Path(file.locate())
        try:
            digest = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            changed.append(str(path))
            continue
        expected = base64.urlsafe_b64decode(file.hash.value + "=" * (-len(file.hash.value) % 4))
        if digest != expected:
            changed.append(str(path))
    return changed


# --------------------------------------------------------------------------
# Talking to the child
# --------------------------------------------------------------------------


def _child_environment() -> dict:
    env = dict(os.environ)
    package_parent = str(Path(rnncourse.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env["MPLBACKEND"] = "Agg"
    return env


def _kill(process: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _run_child(job: dict, phase_limits: dict[str, float]) -> tuple[list[dict], dict | None]:
    """Run one child on ``job``; return its events and, if it hung, the last phase."""
    with tempfile.TemporaryDirectory(prefix="rnncourse-grade-") as workdir:
        process = subprocess.Popen(
            [sys.executable, "-m", "rnncourse.grading.runner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env=_child_environment(),
            start_new_session=True,
        )
        lines: queue.Queue = queue.Queue()

        def read():
            for line in process.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            process.stdin.write(json.dumps(job).encode("utf-8"))
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        events: list[dict] = []
        phase = {"phase": "setup", "exercise": None}
        deadline = time.monotonic() + phase_limits["setup"]
        hung = None
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                hung = phase
                break
            if line is None:
                break
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            events.append(event)
            if event.get("event") == "phase":
                phase = {"phase": event.get("phase"), "exercise": event.get("exercise")}
                key = (
                    phase["phase"]
                    if phase["phase"] == "setup"
                    else (f"{phase['phase']}:{phase['exercise']}")
                )
                deadline = time.monotonic() + phase_limits.get(key, CELL_SECONDS) + GRACE_SECONDS
            if event.get("event") == "done":
                break
        _kill(process)
        reader.join(timeout=5)
        return events, hung


# --------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------


def _plan(path: Path) -> tuple[dict | None, NotebookResult | None]:
    try:
        notebook = read_notebook(path)
    except NotebookError as exc:
        return None, NotebookResult(str(path), None, BROKEN, str(exc))
    return notebook, None


def grade_notebook(path: str | Path, *, seed: int | None = None) -> NotebookResult:
    """Grade one notebook; never raises for anything the notebook holds."""
    started = time.monotonic()
    path = Path(path)
    notebook, broken = _plan(path)
    if broken is not None:
        return broken
    cells = graded_cells(notebook)
    exercises = all_exercises()
    lesson = lesson_of(notebook, path)
    if lesson is None:
        lessons = {exercises[n].lesson for n in cells.exercises if n in exercises}
        lesson = lessons.pop() if len(lessons) == 1 else None
    expected = exercises_of_lesson(lesson) if lesson else []
    if not expected and not cells.exercises:
        return NotebookResult(
            str(path),
            lesson,
            BROKEN,
            "no exercises found: is this one of the course's notebooks?",
            seconds=time.monotonic() - started,
        )

    verdicts: dict[str, Verdict] = {}
    for name in cells.exercises:
        if name not in exercises:
            verdicts[name] = Verdict(name, FAILED, "this is not one of the course's exercises.")
    for name in expected:
        if name not in cells.exercises:
            verdicts[name] = Verdict(
                name, FAILED, f"the exercise cell (`# EXERCISE: {name}`) is missing."
            )
    to_run = [n for n in cells.exercises if n in exercises and exercises[n].lesson == lesson]
    for name in cells.exercises:
        if name in exercises and name not in to_run:
            verdicts[name] = Verdict(
                name,
                FAILED,
                f"this exercise belongs to lesson "
                f"{exercises[name].lesson}, not to lesson {lesson}.",
            )

    # Each exercise draws from its own generator seeded with ``seed``, as
    # ``check_function(name, fn, seed=seed)`` does: a verdict can be reproduced in the notebook.
    if seed is None:
        seed = secrets.randbits(63)
    cases = {name: exercises[name].cases(np.random.default_rng(seed)) for name in to_run}
    sentinel = _Sentinel()
    notebook_message = ""
    remaining = list(to_run)
    tampered: list[str] = []
    while remaining:
        job = {
            "setup": cells.setup,
            "cell_time_limit": CELL_SECONDS,
            "exercises": [
                {
                    "name": n,
                    "source": cells.exercises[n],
                    "cases": [encode(tuple(case)) for case in cases[n]],
                }
                for n in remaining
            ],
        }
        limits = {"setup": SETUP_SECONDS}
        for n in remaining:
            limits[f"cell:{n}"] = CELL_SECONDS
            limits[f"cases:{n}"] = exercises[n].time_limit * len(cases[n])
        before = sentinel.snapshot()
        events, hung = _run_child(job, limits)
        tampered += sentinel.changes(before, sentinel.snapshot())
        done = _judge_events(events, cases, exercises, verdicts)
        if any(e.get("event") == "setup_failed" for e in events) or (
            hung is not None and hung["phase"] == "setup"
        ):
            notebook_message = _setup_message(events, hung)
            for n in remaining:
                verdicts[n] = Verdict(n, FAILED, notebook_message)
            break
        finished = any(e.get("event") == "done" for e in events)
        last = hung or next(
            (e for e in reversed(events) if e.get("event") == "phase"), {"exercise": None}
        )
        culprit = last.get("exercise")
        if not finished and culprit in remaining and culprit not in done:
            if hung is not None:
                seconds = limits.get(f"{hung['phase']}:{culprit}", CELL_SECONDS)
                message = (
                    f"your code did not finish within {seconds:g} s and had to be "
                    "stopped: look for an endless loop."
                )
            else:
                message = (
                    "the process running your code crashed or exited here "
                    "(os._exit, a crash in native code, or too much memory?)."
                )
            verdicts[culprit] = Verdict(culprit, FAILED, message)
            done.add(culprit)
        left = [n for n in remaining if n not in done]
        if left == remaining:  # the child died without a word: do not loop forever
            for n in left:
                verdicts[n] = Verdict(
                    n,
                    FAILED,
                    "the grader's process for this notebook crashed "
                    "(your code may have killed it or used too much memory).",
                )
            break
        remaining = left

    ordered = [verdicts[n] for n in expected if n in verdicts]
    ordered += [v for n, v in verdicts.items() if n not in expected]
    status = GRADED
    if tampered:
        status = BROKEN
        notebook_message = (
            "files of the course package or Python's start-up hooks changed while this "
            f"notebook's code ran ({', '.join(sorted(set(tampered))[:3])}); its results do not "
            "count. Reinstall the package before grading again."
        )
        ordered = [Verdict(v.exercise, FAILED, notebook_message) for v in ordered]
    elif notebook_message:
        status = BROKEN
    return NotebookResult(
        str(path), lesson, status, notebook_message, ordered, time.monotonic() - started, seed
    )


def _setup_message(events: list[dict], hung: dict | None) -> str:
    if hung is not None:
        return (
            f"the set-up cell did not finish within {SETUP_SECONDS:g} s, so no exercise "
            "could be graded."
        )
    for event in events:
        if event.get("event") == "setup_failed":
            obs = decode_observation(event["observation"])
            if obs.kind == "timeout":
                return "the set-up cell did not finish in time, so no exercise could be graded."
            where = f" ({obs.error_line})" if obs.error_line else ""
            return (
                f"the set-up cell raised {obs.error_type}{where}: {obs.error_message}; "
                "no exercise could be graded."
            )
    return "the set-up failed."


def _judge_events(events, cases, exercises, verdicts) -> set[str]:
    """Turn the child's events into verdicts; return the exercises settled."""
    done = set()
    for event in events:
        kind, name = event.get("event"), event.get("exercise")
        if name not in cases:
            continue
        try:
            if kind == "cell":
                obs = decode_observation(event["observation"])
                if obs.kind != "value":
                    early = failure_for_observation(obs, name)
                    message = early.message
                    if early.status == FAILED:
                        message = "the exercise cell itself failed: " + message
                    verdicts[name] = Verdict(name, early.status, message)
                    done.add(name)
            elif kind == "cases":
                observations = [decode_observation(o) for o in event["observations"]]
                if observations and observations[0].kind == "missing":
                    verdicts[name] = Verdict(
                        name,
                        FAILED,
                        f"the exercise cell ran but does not define `{name}` (was it renamed?).",
                    )
                else:
                    verdicts[name] = exercises[name].verdict(cases[name], observations)
                done.add(name)
        except (KeyError, TypeError, ValueError) as exc:
            verdicts[name] = Verdict(name, FAILED, f"the result sent back was unreadable ({exc}).")
            done.add(name)
    return done


def find_notebooks(paths) -> list[Path]:
    """Notebooks named in ``paths``, folders searched (checkpoints skipped)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)
    return found


def grade_paths(paths, *, jobs: int | None = None, seed: int | None = None) -> list[NotebookResult]:
    """Grade every notebook under ``paths``, ``jobs`` at a time, in their order."""
    notebooks = find_notebooks(paths)
    jobs = jobs or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda p: grade_notebook(p, seed=seed), notebooks))


def summary(results: list[NotebookResult]) -> dict:
    counts = {PASSED: 0, FAILED: 0, NOT_ATTEMPTED: 0}
    for result in results:
        for verdict in result.verdicts:
            counts[verdict.status] += 1
    counts["broken notebooks"] = sum(r.status == BROKEN for r in results)
    counts["notebooks"] = len(results)
    return counts
