"""Names an answer takes from cells that the grader does not run.

The grader runs a notebook's set-up cell (``# SETUP``) and its exercise cells
(``# EXERCISE: name``), and nothing else (see :mod:`rnncourse.grading.grader`). A
function that uses a name defined in another cell (``tf`` imported further down, a
helper written in a scratch cell) works in the notebook, where every cell has run,
and fails in the grader with ``NameError``. So that the check cell gives the
grader's verdict, :func:`names_the_grader_lacks` finds such names from the
notebook's input history (IPython's ``In`` list), and ``check`` fails the answer
with a message that names them.

Only names the function loads as globals count (``LOAD_GLOBAL`` and ``LOAD_NAME``
in its byte code and in the code of functions, lambdas and comprehensions inside
it); names bound by the set-up and exercise cells (imports, assignments,
definitions, loop targets, ``with ... as``) and Python's built-ins are fine.
"""

from __future__ import annotations

import ast
import builtins
import dis
import types

from rnncourse.notebooks import EXERCISE_MARKER, SETUP_MARKER, first_line

_LOADS = {"LOAD_GLOBAL", "LOAD_NAME"}


def global_loads(code: types.CodeType) -> set[str]:
    """The global names ``code`` (and every code object nested in it) reads."""
    names = set()
    for instruction in dis.get_instructions(code):
        if instruction.opname in _LOADS and isinstance(instruction.argval, str):
            names.add(instruction.argval)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= global_loads(constant)
    return names


def bound_names(source: str) -> set[str]:
    """Every name a cell's source binds, at any depth (``None`` parts are ignored).

    A cell that does not parse (IPython magics, a syntax error) binds nothing here.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Global):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    return names


def graded_sources(history: list[str]) -> tuple[list[str], dict[str, str]]:
    """The set-up cells and the latest run of each exercise cell in ``history``."""
    setup, exercises = [], {}
    for source in history:
        if not isinstance(source, str):
            continue
        line = first_line(source)
        if SETUP_MARKER.match(line):
            setup.append(source)
        elif match := EXERCISE_MARKER.match(line):
            exercises[match.group(1)] = source
    return setup, exercises


def names_the_grader_lacks(function, name: str, history: list[str]) -> list[str] | None:
    """The global names ``function`` uses that no set-up or exercise cell defines.

    ``None`` when the history holds no set-up cell (not a course notebook: the grader
    would not grade it) or no run of the exercise cell ``name`` (the function was not
    defined there, so there is nothing to compare with), or ``function`` is not plain
    Python.
    """
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType):
        return None
    setup, exercises = graded_sources(history)
    if not setup or name not in exercises:
        return None
    available = set(dir(builtins))
    for source in [*setup, *exercises.values()]:
        available |= bound_names(source)
    return sorted(global_loads(code) - available)


def outside_cells_message(missing: list[str]) -> str:
    listed = ", ".join(f"`{n}`" for n in missing)
    it = "it is" if len(missing) == 1 else "they are"
    return (
        f"your function uses {listed}, but {it} defined in a cell the grader does not run: "
        "the grader runs only the set-up cell and the exercise cells, so there your function "
        "would stop with NameError. Import or define what it needs inside the exercise cell."
    )
