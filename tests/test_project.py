"""The repository keeps its promises: one environment, stripped and synced notebooks."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
import yaml

from rnncourse import authoring
from rnncourse.environment import SUPPORTED
from rnncourse.notebooks import has_outputs, read_notebook


@pytest.fixture(scope="module")
def pyproject(root):
    return tomllib.loads((root / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).replace('"', "'").lower()


def test_environment_yml_matches_pyproject(root, pyproject):
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in conda if d.startswith("python"))
    assert python.removeprefix("python") == pyproject["project"]["requires-python"]

    project = pyproject["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    listed = [p for p in pip if not p.startswith(("-e", "--editable"))]
    assert sorted(map(_normalise, listed)) == sorted(map(_normalise, wanted)), (
        "environment.yml's pip list and pyproject.toml's dependencies + [dev] differ"
    )
    assert any(p.startswith(("-e", "--editable")) for p in pip), "environment.yml must install us"


def test_supported_versions_match_pyproject(pyproject):
    deps = {re.split(r"[<>=!]", d)[0]: d for d in pyproject["project"]["dependencies"]}
    for name in ("tensorflow", "keras"):
        low, high = SUPPORTED[name]
        assert f">={low[0]}.{low[1]}" in deps[name]
        assert f"<{high[0]}.{high[1] + 1}" in deps[name]
    low, high = SUPPORTED["python"]
    python_range = f">={low[0]}.{low[1]},<{high[0]}.{high[1] + 1}"
    assert pyproject["project"]["requires-python"] == python_range


def test_no_single_version_pins(pyproject):
    for requirement in pyproject["project"]["dependencies"]:
        assert "==" not in requirement, f"do not pin {requirement} to one version"


def _notebooks(root):
    return sorted((root / "lessons").glob("*.ipynb")) + sorted((root / "solutions").glob("*.ipynb"))


def test_there_are_lessons(root):
    assert list((root / "solutions").glob("01_*.ipynb"))
    assert list((root / "lessons").glob("01_*.ipynb"))


def test_notebooks_are_committed_without_outputs(root):
    dirty = [p.name for p in _notebooks(root) if has_outputs(read_notebook(p))]
    assert not dirty, f"strip the outputs of {dirty} (run `rnncourse make-lessons`)"


def test_lessons_are_in_sync_with_solutions(root):
    report = authoring.sync(root, check=True)
    assert report.in_sync, (
        "out of date: " + "; ".join(report.changed + report.refused)
        + " (run `rnncourse make-lessons`)"
    )


def test_repository_url_is_written_in_one_place(root, pyproject):
    url = pyproject["project"]["urls"]["Repository"]
    hand_written = [root / "course.py", *(root / "rnncourse").rglob("*.py"), root / ".ci" / "run"]
    for path in hand_written:
        assert url not in path.read_text(), f"{path} repeats the repository URL"
    readme = (root / "README.md").read_text()
    assert authoring.badge_line(url, "lessons/01_sequences_and_the_recurrent_cell.ipynb") in readme


def test_the_package_version_is_the_one_in_pyproject(pyproject):
    import rnncourse

    assert rnncourse.__version__ == pyproject["project"]["version"]


def test_every_notebook_opens_with_badge_and_colab_cell(root, pyproject):
    url = pyproject["project"]["urls"]["Repository"]
    for path in _notebooks(root):
        cells = read_notebook(path)["cells"]
        relative = f"{path.parent.name}/{path.name}"
        assert cells[0]["source"].split("\n")[0] == authoring.badge_line(url, relative)
        version = pyproject["project"]["version"]
        requirements = authoring.install_requirements(url, version)
        assert cells[1]["source"] == authoring.colab_setup_source(version, requirements)
        assert any(c["source"].startswith("# SETUP") for c in cells), f"{path.name}: no set-up cell"


def test_every_exercise_is_followed_by_its_check(root):
    from rnncourse.checks import exercises_of_lesson
    from rnncourse.notebooks import exercise_name

    for path in _notebooks(root):
        cells = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
        names = []
        for cell, following in zip(cells, cells[1:]):
            name = exercise_name(cell)
            if name:
                names.append(name)
                assert following["source"].strip() == f'check("{name}")', (
                    f"{path.name}: the cell after exercise {name} must be check(\"{name}\")"
                )
        assert names == exercises_of_lesson(path.name[:2]), f"{path.name}: exercises differ"


def test_setup_silences_tensorflow_before_anything_imports_it(root):
    """TensorFlow's start-up log would land in the learner's output: setup() comes first."""
    pattern = re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b")
    for path in _notebooks(root):
        cells = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
        setup_seen = False
        for cell in cells:
            for line in cell["source"].splitlines():
                if "setup(" in line and not line.lstrip().startswith("#"):
                    setup_seen = True
                assert setup_seen or not pattern.match(line), (
                    f"{path.name}: `{line.strip()}` runs before setup(); import it after "
                    "`keras = setup(...)`"
                )


def test_readme_quick_start_has_two_commands(root):
    readme = (root / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["python3 course.py lab", "python3 course.py test"]
    ci = (root / ".ci" / "run").read_text()
    assert "course.py test" in ci, ".ci/run must call the README's test command"


def test_ruff_is_clean(root):
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(root)],
        capture_output=True, text=True, cwd=root,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
