"""The ``rnncourse`` command.

``rnncourse grade PATH... [--config grading.toml] [--json R] [--csv G] [--junit X]
[--gradescope R] [--classroom R] [--feedback DIR] [--jobs N] [--seed S]``
    grade notebooks (or every notebook under a folder) and print a table with
    points; write the reports asked for. Exit status 0 when every exercise that
    counts passed, 1 otherwise, 2 when no notebook was found or the course file
    is wrong. Without ``--config``, ``grading.toml`` in the current folder is
    read if there is one.
``rnncourse autograder gradescope LESSON... --out DIR [--config grading.toml]``
    write the Gradescope autograder bundle (``DIR/autograder.zip``).
``rnncourse autograder run --config FILE --submission DIR --results FILE``
    what the bundle's ``run_autograder`` calls for one submission.
``rnncourse make-lessons [--check] [--force]``
    regenerate ``lessons/`` (and the README's table) from ``solutions/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _config(args):
    from rnncourse.grading.scoring import ConfigError, load_config

    try:
        return load_config(args.config)
    except ConfigError as exc:
        print(f"grading config: {exc}", file=sys.stderr)
        return None


def _grade(args) -> int:
    from rnncourse.grading import exports
    from rnncourse.grading.grader import verify_installation
    from rnncourse.grading.report import format_table, report_json, scores_of
    from rnncourse.grading.submissions import find_submissions, grade_submissions

    modified = verify_installation()
    if modified:
        print(
            "the installed rnncourse package has been modified, so its checks cannot be "
            f"trusted ({', '.join(modified[:3])}); reinstall it",
            file=sys.stderr,
        )
        return 2
    config = _config(args)
    if config is None:
        return 2
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    submissions = find_submissions(args.paths)
    if not submissions:
        print(f"no notebooks found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    if args.gradescope and len(submissions) != 1:
        print(
            f"--gradescope writes the results of one submission; {len(submissions)} "
            "notebooks were found",
            file=sys.stderr,
        )
        return 2

    results = grade_submissions(submissions, jobs=args.jobs, seed=args.seed)
    scores = scores_of(results, config, [learner for _, learner in submissions])
    print(format_table(results, scores=scores))
    if config.source:
        print(f"points from {config.source}")
    written = []
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            report_json(results, scores=scores, config=config) + "\n", encoding="utf-8"
        )
        written.append(args.json)
    if args.csv:
        exports.write_csv(args.csv, scores, config)
        written.append(args.csv)
    if args.junit:
        exports.write_junit(args.junit, scores)
        written.append(args.junit)
    if args.gradescope:
        exports.write_gradescope(args.gradescope, scores, config)
        written.append(args.gradescope)
    if args.classroom:
        exports.write_classroom(args.classroom, scores)
        written.append(args.classroom)
    if args.feedback:
        exports.write_feedback(args.feedback, scores)
        written.append(f"{args.feedback}/ ({len(scores)} files)")
    for item in written:
        print(f"written: {item}")
    return 0 if all(s.passed for s in scores) else 1


def _autograder_gradescope(args) -> int:
    from rnncourse.grading.autograder import BundleError, build_bundle

    config = _config(args)
    if config is None:
        return 2
    try:
        archive = build_bundle(args.lessons, args.out, config)
    except BundleError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"bundle written to {args.out}; upload {archive} to Gradescope")
    return 0


def _autograder_run(args) -> int:
    from rnncourse.grading.autograder import run_submission
    from rnncourse.grading.scoring import GradingConfig

    config = _config(args)
    if config is None:  # still write a results file: a zero with the reason
        config = GradingConfig()
    if args.lessons:
        config = GradingConfig(
            config.points, config.drop, tuple(args.lessons), config.visibility, config.source
        )
    data = run_submission(args.submission, args.results, config, seed=args.seed)
    print(f"score {data['score']}; results written to {args.results}")
    return 0


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

    grade = sub.add_parser("grade", help="grade notebooks: a table, reports, an exit status")
    grade.add_argument("paths", nargs="+", help="notebooks or folders of notebooks")
    grade.add_argument(
        "--config",
        metavar="TOML",
        help="points and dropped exercises (default: ./grading.toml if present)",
    )
    grade.add_argument("--json", metavar="REPORT", help="also write a JSON report here")
    grade.add_argument(
        "--csv",
        metavar="GRADEBOOK",
        help="a gradebook: one row per submission, one column per exercise",
    )
    grade.add_argument("--junit", metavar="XML", help="JUnit XML: one test case per exercise")
    grade.add_argument(
        "--gradescope", metavar="RESULTS", help="Gradescope's results.json for one submission"
    )
    grade.add_argument(
        "--classroom",
        metavar="RESULTS",
        help="the result JSON of GitHub Classroom's autograding reporter",
    )
    grade.add_argument(
        "--feedback", metavar="DIR", help="a Markdown report per submission, to hand back"
    )
    grade.add_argument("--jobs", type=int, default=None, help="notebooks graded at once")
    grade.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for the test cases, as in check_function(name, fn, seed=S) "
        "(default: a fresh random one, given in the JSON report)",
    )
    grade.set_defaults(run=_grade)

    auto = sub.add_parser("autograder", help="bundles for autograding services")
    auto_sub = auto.add_subparsers(dest="service", required=True)
    gs = auto_sub.add_parser("gradescope", help="write a Gradescope autograder bundle")
    gs.add_argument("lessons", nargs="+", metavar="LESSON", help='lesson numbers, e.g. "01"')
    gs.add_argument("--out", required=True, metavar="DIR", help="folder to write the bundle to")
    gs.add_argument(
        "--config",
        metavar="TOML",
        help="points and dropped exercises (default: ./grading.toml if present)",
    )
    gs.set_defaults(run=_autograder_gradescope)
    run = auto_sub.add_parser("run", help="grade one submission inside the bundle")
    run.add_argument("--submission", required=True, metavar="DIR")
    run.add_argument("--results", required=True, metavar="FILE")
    run.add_argument("--config", metavar="TOML")
    run.add_argument("--lessons", nargs="*", default=None, metavar="LESSON")
    run.add_argument("--seed", type=int, default=None)
    run.set_defaults(run=_autograder_run)

    make = sub.add_parser("make-lessons", help="generate lessons/ from solutions/")
    make.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    make.add_argument(
        "--force",
        action="store_true",
        help="overwrite lessons even where exercises hold someone's code",
    )
    make.add_argument("--root", default=".", help="the repository's top folder")
    make.set_defaults(run=_make_lessons)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
