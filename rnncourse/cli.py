"""The ``rnncourse`` command.

``rnncourse grade PATH... [--json REPORT] [--jobs N]``
    grade notebooks (or every notebook under a folder); exit status 0 when
    every exercise passed, 1 otherwise, 2 when no notebook was found.
``rnncourse make-lessons [--check] [--force]``
    regenerate ``lessons/`` (and the README's table) from ``solutions/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _grade(args) -> int:
    from rnncourse.grading import find_notebooks, format_table, grade_paths, report_json
    from rnncourse.grading.grader import verify_installation

    modified = verify_installation()
    if modified:
        print("the installed rnncourse package has been modified, so its checks cannot be "
              f"trusted ({', '.join(modified[:3])}); reinstall it", file=sys.stderr)
        return 2

    if not find_notebooks(args.paths):
        print(f"no notebooks found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    results = grade_paths(args.paths, jobs=args.jobs, seed=args.seed)
    print(format_table(results))
    if args.json:
        Path(args.json).write_text(report_json(results) + "\n", encoding="utf-8")
        print(f"report written to {args.json}")
    return 0 if all(r.passed for r in results) else 1


def _make_lessons(args) -> int:
    from rnncourse.authoring import sync

    report = sync(args.root, check=args.check, force=args.force)
    verb = "out of date" if args.check else "written"
    for item in report.changed:
        print(f"{verb}: {item}")
    for item in report.refused:
        print(f"refused: {item}", file=sys.stderr)
    if report.in_sync:
        print("lessons are in sync with the solutions")
    if args.check and report.changed:
        print("run `rnncourse make-lessons` to update them", file=sys.stderr)
        return 1
    return 1 if report.refused else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnncourse", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade notebooks: a table, a report, an exit status")
    grade.add_argument("paths", nargs="+", help="notebooks or folders of notebooks")
    grade.add_argument("--json", metavar="REPORT", help="also write a JSON report here")
    grade.add_argument("--jobs", type=int, default=None, help="notebooks graded at once")
    grade.add_argument("--seed", type=int, default=None,
                       help="seed for the test cases (default: a fresh random one)")
    grade.set_defaults(run=_grade)

    make = sub.add_parser("make-lessons", help="generate lessons/ from solutions/")
    make.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    make.add_argument("--force", action="store_true",
                      help="overwrite lessons even where exercises hold someone's code")
    make.add_argument("--root", default=".", help="the repository's top folder")
    make.set_defaults(run=_make_lessons)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
