"""make-lessons: stubs, dropped asserts, the standard opening, refusing to overwrite work."""

from __future__ import annotations

import shutil

import pytest

from rnncourse import authoring
from rnncourse.cli import main
from rnncourse.notebooks import exercise_name, read_notebook, write_notebook

SOLUTION_CELL = '''# EXERCISE: rnn_step
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    """Docstring stays."""
    ### BEGIN SOLUTION
    z = x_t @ W_xh + h_prev @ W_hh + b_h
    # a comment does not count as a line
    return np.tanh(z)
    ### END SOLUTION'''


def test_solution_region_becomes_a_stub_with_a_line_count():
    lesson = authoring.lesson_source(SOLUTION_CELL, "rnn_step", "test")
    assert "np.tanh" not in lesson
    assert '"""Docstring stays."""' in lesson
    assert "    # YOUR CODE HERE (about 2 lines)" in lesson
    assert '    raise NotImplementedError("rnn_step: write your code here' in lesson
    compile(lesson, "lesson", "exec")


def test_asserts_are_dropped_and_an_asserts_only_cell_disappears():
    source = "x = 1\nprint(x)\n### BEGIN ASSERTS\nassert x == 1\n### END ASSERTS"
    assert authoring.lesson_source(source, None, "test") == "x = 1\nprint(x)"
    only = "### BEGIN ASSERTS\nassert True\n### END ASSERTS"
    assert authoring.lesson_source(only, None, "test") is None


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1\n", "has no '### END SOLUTION'"),
    ("x = 1\n### END SOLUTION", "without its BEGIN line"),
    ("### BEGIN SOLUTION\n### BEGIN ASSERTS\n### END ASSERTS\n### END SOLUTION", "inside another"),
])
def test_broken_markers_are_reported(source, words):
    with pytest.raises(authoring.AuthoringError, match=words):
        authoring.lesson_source(source, None, "cell 3")


@pytest.fixture
def repo(root, tmp_path):
    """A copy of the repository's notebooks, README and pyproject to work on."""
    for name in ("solutions", "lessons"):
        shutil.copytree(root / name, tmp_path / name)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(root / name, tmp_path / name)
    return tmp_path


def _lesson_path(repo):
    return next((repo / "lessons").glob("01_*.ipynb"))


def test_the_repository_copy_is_in_sync(repo):
    assert authoring.sync(repo, check=True).in_sync


def test_editing_a_solution_makes_the_check_fail_and_sync_repairs_it(repo):
    solution = next((repo / "solutions").glob("01_*.ipynb"))
    notebook = read_notebook(solution)
    notebook["cells"][3]["source"] += "\nA new sentence."
    write_notebook(notebook, solution)
    assert main(["make-lessons", "--check", "--root", str(repo)]) == 1
    assert main(["make-lessons", "--root", str(repo)]) == 0
    assert "A new sentence." in read_notebook(_lesson_path(repo))["cells"][3]["source"]
    assert authoring.sync(repo, check=True).in_sync


def test_learner_work_is_never_overwritten_without_force(repo, capsys):
    lesson_path = _lesson_path(repo)
    lesson = read_notebook(lesson_path)
    for cell in lesson["cells"]:
        if exercise_name(cell) == "rnn_step":
            cell["source"] = "# EXERCISE: rnn_step\ndef rnn_step(*a):\n    return 'my work'\n"
    write_notebook(lesson, lesson_path)

    assert main(["make-lessons", "--root", str(repo)]) == 1
    assert "rnn_step" in capsys.readouterr().err
    assert "my work" in lesson_path.read_text(), "the learner's work was overwritten"

    assert main(["make-lessons", "--force", "--root", str(repo)]) == 0
    assert "my work" not in lesson_path.read_text()
    assert authoring.sync(repo, check=True).in_sync


def test_outputs_are_stripped_from_both_sides(repo):
    solution = next((repo / "solutions").glob("01_*.ipynb"))
    notebook = read_notebook(solution)
    code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    code["execution_count"] = 3
    write_notebook(notebook, solution)
    assert not authoring.sync(repo, check=True).in_sync
    authoring.sync(repo)
    assert '"hi' not in solution.read_text() and '"hi' not in _lesson_path(repo).read_text()


def test_a_lesson_without_solution_is_reported(repo):
    shutil.copy(_lesson_path(repo), repo / "lessons" / "99_orphan.ipynb")
    report = authoring.sync(repo, check=True)
    assert any("99_orphan" in item for item in report.changed)


def test_badge_and_colab_cell_come_from_the_url_in_pyproject(repo):
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "https://github.com/rnncourse/rnncourse", "https://github.com/someone/fork"))
    authoring.sync(repo)
    for path in [_lesson_path(repo), *(repo / "solutions").glob("*.ipynb")]:
        cells = read_notebook(path)["cells"]
        assert "github/someone/fork/blob/main/" in cells[0]["source"].split("\n")[0]
        assert "git+https://github.com/someone/fork@main" in cells[1]["source"]
    assert "github/someone/fork/blob/main/lessons/01_" in (repo / "README.md").read_text()
