"""The learner's side of the grader: ``python -m rnncourse.grading.runner``.

Reads one job (JSON) from standard input: the notebook's set-up cells, its
exercise cells and, for each exercise, the cases to run. Runs the cells in a
fresh namespace, in notebook order, each exercise's cases right after its cell
(as the check cell does in the notebook), and writes one JSON event per line
to the descriptor that was standard output when it started. The learner's own
prints go to /dev/null. ``SystemExit`` raised by a cell ends that cell only,
as in IPython (see :func:`_run_cell`).

It sends back only plain values (see :mod:`rnncourse.checks.core`); the
verdicts are decided by the grader's process. The event names:

``{"event": "phase", "phase": "setup" | "cell" | "cases", "exercise": name}``
    announced before each step, so that the grader knows what hung if the
    process has to be killed;
``{"event": "setup_failed", "observation": ...}``
``{"event": "cell", "exercise": name, "observation": ...}``
``{"event": "cases", "exercise": name, "observations": [...]}``
``{"event": "done"}``
"""

from __future__ import annotations

import json
import linecache
import os
import re
import sys

# Imported before any learner code runs: later changes to these modules made
# by that code do not reach the objects bound here.
from rnncourse.checks.core import decode, encode_observation, observe
from rnncourse.checks.exercise import all_exercises
from rnncourse.environment import import_keras_quietly

_MAGIC = re.compile(r"^(\s*)[%!]")


def _without_magics(source: str) -> str:
    """IPython magics and shell escapes are not Python: comment them out."""
    return "\n".join(_MAGIC.sub(r"\1pass  # ", line) for line in source.split("\n"))


def _run_cell(source: str, namespace: dict, label: str, seconds: float):
    """Run one cell as IPython would: ``SystemExit`` ends the cell, and that is all.

    IPython catches a ``SystemExit`` raised by a cell (``sys.exit(0)`` at its
    end), keeps what the cell defined before it and goes on with the next
    cell, so the grader does the same. The cell's source is registered with
    :mod:`linecache`, so that a failure inside a function it defines shows
    the line, as in the notebook.
    """
    code = _without_magics(source)
    linecache.cache[label] = (len(code), None, code.splitlines(keepends=True), label)

    def run():
        try:
            exec(compile(code, label, "exec"), namespace)
        except SystemExit:
            pass

    return observe(run, seconds)


def main() -> int:
    job = json.load(sys.stdin)
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

    def emit(event: dict) -> None:
        channel.write(json.dumps(event) + "\n")
        channel.flush()

    exercises = all_exercises()
    import_keras_quietly()
    namespace: dict = {"__name__": "__main__"}
    cell_seconds = float(job["cell_time_limit"])

    for index, source in enumerate(job["setup"]):
        emit({"event": "phase", "phase": "setup", "exercise": None})
        obs = _run_cell(source, namespace, f"<set-up cell {index + 1}>", cell_seconds)
        if obs.kind != "value":
            emit({"event": "setup_failed", "observation": encode_observation(obs)})
            return 0

    for item in job["exercises"]:
        name = item["name"]
        emit({"event": "phase", "phase": "cell", "exercise": name})
        obs = _run_cell(item["source"], namespace, f"<exercise cell {name}>", cell_seconds)
        emit({"event": "cell", "exercise": name, "observation": encode_observation(obs)})
        if obs.kind != "value":
            continue
        emit({"event": "phase", "phase": "cases", "exercise": name})
        function = namespace.get(name)
        cases = [tuple(decode(case)) for case in item["cases"]]
        observations = exercises[name].observe_all(function, cases)
        emit(
            {
                "event": "cases",
                "exercise": name,
                "observations": [encode_observation(o) for o in observations],
            }
        )
    emit({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
