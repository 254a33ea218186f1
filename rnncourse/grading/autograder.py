"""Gradescope: the autograder bundle, and what runs inside it for each submission.

``rnncourse autograder gradescope LESSONS... --out DIR`` writes into DIR

- ``rnncourse-<version>-py3-none-any.whl``: this course, built from the
  checkout that runs the command, so the service installs exactly what you
  graded with and never fetches the course from anywhere else;
- ``constraints.txt``: the versions of NumPy, TensorFlow, Keras and Matplotlib
  to install from the package index (those of the environment that built the
  bundle, when they lie in the course's supported range);
- ``grading.toml``: points and dropped exercises (from ``--config``) and the
  assignment's lessons;
- ``setup.sh``: run once by Gradescope when it builds the image: finds or
  installs Python 3.11-3.13, makes a virtual environment, installs the wheel;
- ``run_autograder``: run for each submission: grades the learner's notebook
  and writes ``results.json``;
- ``autograder.zip``: the five files above at the top of the archive, the file
  to upload.

``run_autograder`` looks for the notebook in the submission folder: for each
lesson of the assignment, a notebook whose name starts with the lesson's
number (``01_...ipynb``) or whose metadata names the lesson; failing that, when
the assignment has one lesson, the only ``.ipynb`` of the submission. A
submission without one gets zero points and a message that says what to
submit. The folders can be moved with environment variables (``AUTOGRADER_ROOT``,
or each of ``RNNCOURSE_SOURCE``, ``RNNCOURSE_SUBMISSION``, ``RNNCOURSE_RESULTS``)
and the Python that runs the grader with ``RNNCOURSE_PYTHON``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import rnncourse
from rnncourse.grading.grader import BROKEN, NotebookResult
from rnncourse.grading.scoring import GradingConfig, format_points, score
from rnncourse.grading.submissions import LESSON_FILES, grade_safely, learner_from_name
from rnncourse.notebooks import LESSON_FROM_FILENAME, NotebookError, lesson_of, read_notebook

BUNDLE_FILES = ("setup.sh", "run_autograder", "grading.toml", "constraints.txt")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# It installs the course from the wheel in this bundle (the course itself is
# never downloaded) and its dependencies from the Python package index, at the
# versions in constraints.txt. Base image: Ubuntu 22.04 or 24.04.
set -euo pipefail
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
VENV="${{RNNCOURSE_VENV:-/autograder/venv}}"
WHEEL="$HERE/{wheel}"

PYTHON=""
for candidate in python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
done
if [ -z "$PYTHON" ]; then
    # Ubuntu 22.04 ships Python 3.10; 3.11 is in its universe repository.
    apt-get update
    apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! "$PYTHON" -m venv "$VENV"; then
    apt-get update
    apt-get install -y "$PYTHON-venv"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install --constraint "$HERE/constraints.txt" "$WHEEL"
"$VENV/bin/python" -m rnncourse --help >/dev/null
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (as /autograder/run_autograder).
# It grades the learner's notebook and writes results/results.json; if the
# grader cannot even start, it still writes a results file that says so.
# The folders can be moved (the course's tests do): AUTOGRADER_ROOT, or each of
# RNNCOURSE_SOURCE, RNNCOURSE_SUBMISSION, RNNCOURSE_RESULTS; RNNCOURSE_PYTHON
# is the Python that has the course installed.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="${RNNCOURSE_SOURCE:-$ROOT/source}"
SUBMISSION="${RNNCOURSE_SUBMISSION:-$ROOT/submission}"
RESULTS="${RNNCOURSE_RESULTS:-$ROOT/results}"
PYTHON="${RNNCOURSE_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$RESULTS"
rm -f "$RESULTS/results.json"
"$PYTHON" -m rnncourse autograder run --config "$SOURCE/grading.toml" \\
    --submission "$SUBMISSION" --results "$RESULTS/results.json"
status=$?
if [ ! -s "$RESULTS/results.json" ]; then
    message="The autograder could not run (exit status $status): please tell your instructor."
    printf '{"score": 0, "output": "%s", "tests": []}\\n' "$message" > "$RESULTS/results.json"
fi
exit 0
"""


class BundleError(RuntimeError):
    """The bundle cannot be built (the message says why)."""


# --------------------------------------------------------------------------
# Building the bundle
# --------------------------------------------------------------------------


def source_root() -> Path:
    """The checkout the running package comes from (it holds ``pyproject.toml``)."""
    root = Path(rnncourse.__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        raise BundleError(
            f"{root} holds no pyproject.toml: build the bundle from a clone of "
            "the course repository"
        )
    return root


def build_wheel(out: Path) -> Path:
    """Build the course's wheel into ``out`` (no network: no build isolation).

    It is built from a copy of the package's sources in a temporary folder: a build in
    the checkout would leave ``build/`` there, and race with any other build of it.
    """
    root = source_root()
    with tempfile.TemporaryDirectory(prefix="rnncourse-wheel-") as tmp:
        source = Path(tmp) / "source"
        shutil.copytree(
            root / "rnncourse",
            source / "rnncourse",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (root / name).is_file():
                shutil.copy2(root / name, source / name)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                str(Path(tmp) / "wheel"),
                str(source),
            ],
            capture_output=True,
            text=True,
        )
        wheels = list((Path(tmp) / "wheel").glob("rnncourse-*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            raise BundleError(f"building the wheel failed:\n{done.stdout}{done.stderr}")
        target = out / wheels[0].name
        shutil.copy2(wheels[0], target)
    return target


def dependency_pins() -> list[str]:
    """``name==version`` for each dependency of the course, as installed here, when the
    version satisfies the course's requirement (else the requirement itself)."""
    with open(source_root() / "pyproject.toml", "rb") as handle:
        requirements = tomllib.load(handle)["project"]["dependencies"]
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging comes with pip's tooling
        return list(requirements)
    pins = []
    for text in requirements:
        requirement = Requirement(text)
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            pins.append(text)
            continue
        if requirement.specifier.contains(version, prereleases=True):
            pins.append(f"{requirement.name}=={version}")
        else:
            pins.append(text)
    return pins


def config_toml(config: GradingConfig, lessons: list[str]) -> str:
    """``grading.toml`` for the bundle: the instructor's points and drops, these lessons."""
    lines = [
        "# Written by `rnncourse autograder gradescope`: the assignment this bundle grades.",
        "[assignment]",
        f"lessons = {json.dumps(list(lessons))}",
        f"drop = {json.dumps(sorted(config.drop))}",
        "",
        "[points]",
    ]
    lines += [f"{name} = {format_points(value)}" for name, value in sorted(config.points.items())]
    lines += ["", "[gradescope]", f"visibility = {json.dumps(config.visibility)}", ""]
    return "\n".join(lines)


def build_bundle(lessons: list[str], out: str | Path, config: GradingConfig | None = None) -> Path:
    """Write the Gradescope bundle into ``out``; return the zip to upload."""
    config = config or GradingConfig()
    unknown = [ls for ls in lessons if ls not in LESSON_FILES]
    if unknown or not lessons:
        raise BundleError(
            f"unknown lesson(s) {unknown or lessons}; known: {', '.join(LESSON_FILES)}"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("rnncourse-*.whl"):
        old.unlink()
    wheel = build_wheel(out)
    (out / "setup.sh").write_text(SETUP_SH.format(wheel=wheel.name), encoding="utf-8")
    (out / "run_autograder").write_text(RUN_AUTOGRADER, encoding="utf-8")
    (out / "grading.toml").write_text(config_toml(config, lessons), encoding="utf-8")
    (out / "constraints.txt").write_text("\n".join(dependency_pins()) + "\n", encoding="utf-8")
    for name in ("setup.sh", "run_autograder"):
        (out / name).chmod(0o755)
    archive = out / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in (*BUNDLE_FILES, wheel.name):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, (out / name).read_bytes())
    return archive


# --------------------------------------------------------------------------
# Inside the container: one submission
# --------------------------------------------------------------------------


def _notebooks_in(folder: Path) -> list[Path]:
    skip = {".ipynb_checkpoints", "__MACOSX"}
    return sorted(
        p
        for p in folder.rglob("*.ipynb")
        if p.is_file() and not skip & set(p.parts) and not p.name.startswith(".")
    )


def _lesson_of_file(path: Path) -> str | None:
    match = LESSON_FROM_FILENAME.match(path.name)
    if match:
        return match.group(1)
    try:
        return lesson_of(read_notebook(path), path)
    except NotebookError:
        return None


def find_learner_notebooks(submission: Path, lessons: list[str]) -> dict[str, Path | str]:
    """For each lesson, the learner's notebook, or the reason none was taken."""
    found = _notebooks_in(submission) if submission.is_dir() else []
    by_lesson: dict[str, list[Path]] = {}
    for path in found:
        by_lesson.setdefault(_lesson_of_file(path), []).append(path)
    chosen: dict[str, Path | str] = {}
    names = ", ".join(str(p.relative_to(submission)) for p in found) or "no notebook at all"
    for lesson in lessons:
        candidates = by_lesson.get(lesson, [])
        if len(candidates) > 1:  # the one named like the lesson, else the first by name
            exact = [p for p in candidates if LESSON_FILES[lesson] in p.stem]
            candidates = exact or candidates
        if candidates:
            chosen[lesson] = candidates[0]
        elif len(lessons) == 1 and len(found) == 1:
            chosen[lesson] = found[0]
        else:
            chosen[lesson] = (
                f"no notebook for lesson {lesson} was found in your submission "
                f"({names}): submit your `{LESSON_FILES[lesson]}.ipynb`."
            )
    return chosen


def run_submission(
    submission: str | Path, results: str | Path, config: GradingConfig, *, seed: int | None = None
) -> dict:
    """Grade one submission as ``run_autograder`` does; write and return ``results.json``."""
    from rnncourse.grading.exports import gradescope_results
    from rnncourse.grading.report import format_table

    started = time.monotonic()
    submission = Path(submission)
    scores, notes = [], []
    try:
        lessons = list(config.lessons) or sorted(
            {ls for p in _notebooks_in(submission) if (ls := _lesson_of_file(p))}
        )
        if not lessons:
            notes.append("no notebook of the course was found in your submission.")
        for lesson, found in find_learner_notebooks(submission, lessons).items():
            if isinstance(found, Path):
                result = grade_safely(found, seed)
                learner = learner_from_name(found.stem)
            else:
                result = NotebookResult(f"(lesson {lesson})", lesson, BROKEN, found)
                learner = ""
                notes.append(found)
            scores.append(score(result, config, learner))
        data = gradescope_results(scores, config, time.monotonic() - started, "\n".join(notes))
        print(format_table([s.result for s in scores], scores=scores))
    except Exception as exc:  # the results file is written whatever happens
        data = {
            "score": 0,
            "execution_time": int(time.monotonic() - started),
            "output": f"The autograder failed ({type(exc).__name__}: {exc}); please tell "
            "your instructor.",
            "tests": [],
        }
    target = Path(results)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, target)
    return data
