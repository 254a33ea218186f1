#!/usr/bin/env python3
"""Set up the course and open it, or set it up and run the tests.

    python3 course.py lab     # create .venv, install the course, open JupyterLab on lessons/
    python3 course.py test    # create .venv, install the course, run every test

Only the standard library is used here, so this works on a fresh machine with
Python 3.11 or newer (Keras 3.13 needs it). The virtual environment lives in ``.venv`` next to this
file; it is reinstalled only when ``pyproject.toml`` changes. Extra arguments
after ``test`` go to pytest instead of the default (the whole suite, up to four
notebooks at a time), for example ``python3 course.py test -x tests``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".course-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install() -> Path:
    """Create .venv and install the course with its development extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script must explain, not crash)
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing the course and its dependencies (a few minutes the first time) ...",
          flush=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--quiet", "--editable", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("lab", "test"):
        print(__doc__)
        return 2
    python = install()
    if argv[0] == "lab":
        command = [str(python), "-m", "jupyter", "lab", str(ROOT / "lessons"), *argv[1:]]
    else:
        # Without arguments: the whole suite, a few notebooks at a time (each notebook's
        # cells stay together in one kernel: --dist loadscope).
        extra = argv[1:] or ["-n", str(min(4, os.cpu_count() or 1)), "--dist", "loadscope"]
        command = [str(python), "-m", "pytest", *extra]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
