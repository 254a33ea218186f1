#!/usr/bin/env python3
"""Run solution notebooks with several seeds and record what their assertions see.

    python tools/seed_sweep.py                          # every solution, every setting
    python tools/seed_sweep.py solutions/04_*.ipynb --seeds 0 1 2 3 4 5 6
    python tools/seed_sweep.py solutions/04_*.ipynb --configs default   # a quick look
    python tools/seed_sweep.py solutions/04_*.ipynb --record   # update tools/seed_spread.json

Every random number of a solution notebook follows from the line ``SEED = <n>`` of its
set-up cell. For each seed this script runs the notebook in a fresh kernel with that
line changed and, instead of stopping at the first failed assertion, evaluates every
``assert`` of the ``### BEGIN/END ASSERTS`` regions on its own (an ``a and b`` test
counts as two) and notes whether it held and, for a comparison, the values compared.

Each seed runs under every CPU setting of :data:`CONFIGS`: TensorFlow as installed,
with oneDNN's kernels switched off (``TF_ENABLE_ONEDNN_OPTS=0``), and with one thread
(``TF_NUM_INTRAOP_THREADS=1``, ``TF_NUM_INTEROP_THREADS=1``, ``OMP_NUM_THREADS=1``).
The last two stand in for another processor: they change the order of floating-point
sums, so training takes another path, as it would on a learner's machine.

Every assertion states something the lesson claims in general ("the LSTM solves the lag
of 50 steps") and must hold on every seed under every setting. An assertion marked
``# this run`` (pinning what one run shows) is refused: such an outcome is printed and
its spread described in words instead (the record gives the figures).

The record (``--record``) is what ``tests/test_seed_spread.py`` checks: that it is up to
date with the notebooks' code, covers at least five seeds under every setting, and that
every assertion held on every run. The sweep takes about fifteen times as long as the
notebooks (about 45 minutes for all eight on two cores with ``--jobs 2``), which is why CI
reads the record instead of running it.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RECORD = ROOT / "tools" / "seed_spread.json"
SEED_LINE = re.compile(r"^SEED = (\d+)\b", re.MULTILINE)
REGION = re.compile(r"^### BEGIN ASSERTS[^\n]*\n(.*?)^### END ASSERTS[^\n]*$", re.S | re.M)
THIS_RUN = "# this run"
#: CPU settings every seed runs under: name -> environment variables set for the kernel.
CONFIGS: dict[str, dict[str, str]] = {
    "default": {},
    "onednn-off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "one-thread": {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
                   "OMP_NUM_THREADS": "1"},
}
RESULT_PREFIX = "SEED-SWEEP-RESULT "

RECORDER = r'''
import json as _sweep_json
import math as _sweep_math

_sweep_results = {}


def _sweep_number(value):
    try:
        number = float(value)
    except Exception:
        return None
    return number if _sweep_math.isfinite(number) else None


def _sweep(key, test, operands):
    try:
        passed = bool(test())
    except Exception as error:
        passed, figures = False, [f"{type(error).__name__}: {error}"[:200]]
    else:
        figures = []
        for operand in operands:
            try:
                figures.append(_sweep_number(operand()))
            except Exception:
                figures.append(None)
    record = _sweep_results.setdefault(key, {"passed": True, "figures": figures, "count": 0})
    record["count"] += 1
    if record["passed"] and not passed:  # keep the figures of the first failure
        record["passed"], record["figures"] = False, figures
    elif passed and record["passed"]:
        record["figures"] = figures
'''


def notebook_seed(notebook) -> int:
    """The value of ``SEED = <n>`` in the set-up cell (the first code cell that sets it)."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and (match := SEED_LINE.search(cell.source)):
            return int(match.group(1))
    raise ValueError("no line 'SEED = <n>' in any code cell")


COLAB_CELL = "# @title Colab set-up"


def code_digest(notebook) -> str:
    """A hash of every code cell's source: the record is stale when it changes.

    The generated Colab set-up cell is left out: it does nothing outside Colab, and it
    names the package version, which a release changes in every notebook at once.
    """
    code = "\n\0\n".join(cell.source for cell in notebook.cells
                          if cell.cell_type == "code" and not cell.source.startswith(COLAB_CELL))
    return hashlib.sha256(code.encode()).hexdigest()


def _conjuncts(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [part for value in test.values for part in _conjuncts(value)]
    return [test]


def _operands(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.Compare):
        return [test.left, *test.comparators]
    return []


def _lambda(expression: ast.expr) -> ast.Lambda:
    no_arguments = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                 defaults=[])
    return ast.Lambda(args=no_arguments, body=expression)


class _AssertRewriter(ast.NodeTransformer):
    """Turn every ``assert`` into calls of ``_sweep`` (one per conjunct), noting each."""

    def __init__(self, cell_index: int, region_lines: list[str], checks: list[dict]):
        self.cell_index, self.lines, self.checks = cell_index, region_lines, checks

    def visit_Assert(self, node: ast.Assert):
        text = "\n".join(self.lines[node.lineno - 1:node.end_lineno])
        scope = "this run" if THIS_RUN in text else "robust"
        calls = []
        for part in _conjuncts(node.test):
            key = f"{self.cell_index}:{len(self.checks)}"
            self.checks.append({"key": key, "cell": self.cell_index, "source": ast.unparse(part),
                                "scope": scope})
            operands = ast.List(elts=[_lambda(o) for o in _operands(part)], ctx=ast.Load())
            call = ast.Call(func=ast.Name("_sweep", ast.Load()),
                            args=[ast.Constant(key), _lambda(part), operands], keywords=[])
            calls.append(ast.Expr(call))
        return calls


def assertion_checks(notebook) -> tuple[list[dict], dict[int, str]]:
    """Every assertion of the ASSERTS regions, and the cells rewritten to record them."""
    checks: list[dict] = []
    rewritten: dict[int, str] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "### BEGIN ASSERTS" not in cell.source:
            continue

        def rewrite(match, index=index):
            region = match.group(1)
            tree = _AssertRewriter(index, region.splitlines(), checks).visit(ast.parse(region))
            return ast.unparse(ast.fix_missing_locations(tree)) + "\n"

        rewritten[index] = REGION.sub(rewrite, cell.source)
    return checks, rewritten


def run_key(config: str, seed: int) -> str:
    """How a run is named in the record: ``"onednn-off:3"``."""
    return f"{config}:{seed}"


def run_with_seed(path: Path, seed: int, config: str = "default") -> dict:
    """Run the notebook with ``SEED = seed`` under a CPU setting of :data:`CONFIGS`.

    Returns what each assertion saw, and any errors.
    """
    notebook = nbformat.read(path, as_version=4)
    checks, rewritten = assertion_checks(notebook)
    for index, source in rewritten.items():
        notebook.cells[index].source = source
    setup = next(cell for cell in notebook.cells
                 if cell.cell_type == "code" and SEED_LINE.search(cell.source))
    setup.source = RECORDER + "\n" + SEED_LINE.sub(f"SEED = {seed}", setup.source, count=1)
    notebook.cells.append(nbformat.v4.new_code_cell(
        f"print({RESULT_PREFIX!r} + _sweep_json.dumps(_sweep_results))"))
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute(env={**os.environ, **CONFIGS[config]})
    seconds = time.perf_counter() - started
    errors, results = [], None
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output['ename']}: {output['evalue']}"[:300])
            text = output.get("text", "")
            if RESULT_PREFIX in text:
                results = json.loads(text.split(RESULT_PREFIX, 1)[1])
    results = results or {}
    outcome = {}
    for check in checks:
        seen = results.get(check["key"])
        outcome[check["key"]] = (seen if seen is not None
                                 else {"passed": False, "figures": ["not reached"], "count": 0})
    return {"seconds": round(seconds, 1), "errors": errors, "checks": outcome}


def sweep(path: Path, seeds: list[int], jobs: int, configs: list[str] | None = None) -> dict:
    """Run ``path`` with each seed (and its own) under each CPU setting; the record entry."""
    notebook = nbformat.read(path, as_version=4)
    own = notebook_seed(notebook)
    seeds = sorted(set(seeds) | {own})
    configs = list(configs or CONFIGS)
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        raise ValueError(f"unknown CPU settings {unknown}; known: {sorted(CONFIGS)}")
    checks, _ = assertion_checks(notebook)
    keys = [(config, seed) for config in configs for seed in seeds]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = pool.map(lambda key: run_with_seed(path, key[1], key[0]), keys)
        runs = {run_key(*key): outcome for key, outcome in zip(keys, outcomes)}
    return {
        "code_sha256": code_digest(notebook),
        "notebook_seed": own,
        "seeds": seeds,
        "configs": configs,
        "seconds": {key: run["seconds"] for key, run in runs.items()},
        "errors": {key: run["errors"] for key, run in runs.items() if run["errors"]},
        "checks": [
            {"source": check["source"], "scope": check["scope"],
             "passed": {key: run["checks"][check["key"]]["passed"] for key, run in runs.items()},
             "figures": {key: run["checks"][check["key"]]["figures"]
                         for key, run in runs.items()}}
            for check in checks
        ],
    }


def _figures(values: list) -> str:
    return ", ".join("?" if v is None else (v if isinstance(v, str) else f"{v:.4g}")
                     for v in values)


def summary(name: str, record: dict) -> str:
    """A few lines per notebook: the robust failures, and the spread of each check."""
    seeds = record["seeds"]
    lines = [f"## {name}  (seeds {', '.join(map(str, seeds))}; notebook's own "
             f"{record['notebook_seed']}; settings {', '.join(record['configs'])}; "
             f"{max(record['seconds'].values()):.0f} s per run at most)"]
    for run, errors in record["errors"].items():
        lines += [f"  {run}: {error}" for error in errors]
    for check in record["checks"]:
        runs = list(check["passed"])
        held = sum(check["passed"].values())
        mark = "ok  " if held == len(runs) else "FAIL"
        lines.append(f"  {mark} {held}/{len(runs)} [{check['scope']}] {check['source'][:90]}")
        if any(isinstance(v, float) for v in check["figures"][runs[0]]):
            for config in record["configs"]:
                spread = "; ".join(
                    f"{seed}: {_figures(check['figures'][run_key(config, seed)])}"
                    + ("" if check["passed"][run_key(config, seed)] else " (failed)")
                    for seed in seeds)
                lines.append(f"         {config:>10} {spread}"[:400])
    return "\n".join(lines)


def robust_failures(record: dict) -> list[str]:
    """Every error, every assertion that failed on some run, and every ``# this run`` one."""
    failures = [f"{run}: {error}" for run, errors in record["errors"].items()
                for error in errors]
    failures += [f"{check['source']} failed with setting:seed {run}"
                 for check in record["checks"]
                 for run, passed in check["passed"].items() if not passed]
    failures += [f"{check['source']} is marked '{THIS_RUN}': assert what holds on every run, "
                 "or print it and describe its spread" for check in record["checks"]
                 if check["scope"] != "robust"]
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4],
                        help="seeds to run besides the notebook's own (default 0-4)")
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=list(CONFIGS),
                        help="CPU settings to run under (default: all; --record needs all)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once")
    parser.add_argument("--record", type=Path, nargs="?", const=DEFAULT_RECORD,
                        help=f"merge the results into this JSON file (default {DEFAULT_RECORD})")
    args = parser.parse_args()
    if args.record and set(args.configs) != set(CONFIGS):
        parser.error("--record needs every CPU setting; leave out --configs")
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*.ipynb"))
    records = {}
    bad = 0
    for path in paths:
        record = records[path.name] = sweep(path, args.seeds, args.jobs, args.configs)
        print(summary(path.name, record), flush=True)
        bad += bool(robust_failures(record))
    if args.record:
        stored = json.loads(args.record.read_text()) if args.record.exists() else {}
        stored.update(records)
        args.record.write_text(json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
        print(f"recorded in {args.record}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
