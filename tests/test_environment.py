"""Quiet start-up and the version check."""

from __future__ import annotations

import subprocess
import sys

from rnncourse.environment import SUPPORTED, version_warnings


def test_importing_keras_prints_nothing():
    code = ("from rnncourse.environment import import_keras_quietly\n"
            "keras = import_keras_quietly()\n"
            "keras.layers.SimpleRNN(2)(keras.ops.ones((1, 3, 1)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == "", done.stderr


def test_importing_the_package_does_not_import_tensorflow():
    code = "import rnncourse, rnncourse.checks, rnncourse.reference, sys\n" \
           "print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_version_warnings():
    low, high = SUPPORTED["tensorflow"]
    assert version_warnings({"tensorflow": f"{low[0]}.{low[1]}.0"}) == []
    assert version_warnings({"tensorflow": f"{high[0]}.{high[1]}.3"}) == []
    assert "older" in version_warnings({"tensorflow": "2.15.1"})[0]
    assert "newer" in version_warnings({"keras": "3.99.0"})[0]
    assert version_warnings({"numpy": "1.0"}) == []  # not range-checked
