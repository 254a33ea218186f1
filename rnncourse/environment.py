"""Quiet TensorFlow start-up, the supported versions, and the lessons' set-up.

TensorFlow writes start-up lines ("oneDNN custom operations are on", "Could
not find cuda drivers") straight to file descriptor 2 while it is imported.
Jupyter captures that descriptor, so the lines would land in the first cell's
output of every lesson. :func:`import_keras_quietly` points descriptor 2 at
``/dev/null`` for the duration of the import only: Python exceptions still
propagate, and everything printed afterwards is shown as usual.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

#: The range of versions the course is tested with (lowest, highest), as in
#: ``pyproject.toml``; a test keeps the two in agreement.
SUPPORTED = {
    "python": ((3, 11), (3, 13)),
    "tensorflow": ((2, 20), (2, 21)),
    "keras": ((3, 13), (3, 15)),
}

_ENVIRONMENT_DEFAULTS = {
    "KERAS_BACKEND": "tensorflow",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


@contextlib.contextmanager
def _stderr_fd_silenced():
    """Send file descriptor 2 to /dev/null inside the block (C++ log lines)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real descriptor: nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras_quietly():
    """Import TensorFlow and Keras without their C++ start-up log; return ``keras``.

    Sets ``KERAS_BACKEND=tensorflow`` and ``TF_CPP_MIN_LOG_LEVEL=3`` unless the
    user set them already, and lets TensorFlow's Python logger report errors only.
    """
    for name, value in _ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if "keras" in sys.modules:
        return sys.modules["keras"]
    with _stderr_fd_silenced():
        import keras
        import tensorflow

        # The first operation initialises the devices, which logs once more
        # (for example "failed call to cuInit" on a machine without a GPU).
        tensorflow.constant(0.0) + 1.0
    # Notes such as "5 out of the last 5 calls triggered tf.function retracing" come
    # when several small models are built in a row, as lessons do; they are not errors.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    return keras


def _major_minor(version: str) -> tuple[int, int]:
    parts = version.split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


def version_warnings(versions: dict[str, str]) -> list[str]:
    """Warnings for every version outside :data:`SUPPORTED` (empty when all fit)."""
    warnings = []
    for name, version in versions.items():
        if name not in SUPPORTED:
            continue
        low, high = SUPPORTED[name]
        got = _major_minor(version)
        if got < low:
            warnings.append(
                f"{name} {version} is older than the course supports "
                f"({low[0]}.{low[1]} to {high[0]}.{high[1]}); upgrade it, e.g. "
                f"`pip install -U {name}`."
            )
        elif got > high:
            warnings.append(
                f"{name} {version} is newer than the course was tested with "
                f"({low[0]}.{low[1]} to {high[0]}.{high[1]}); it will probably work, "
                "but if something breaks, tell us."
            )
    return warnings


def setup(seed: int | None = None, verbose: bool = True):
    """Set up a lesson: import Keras quietly, check versions, optionally seed.

    ``seed`` is passed to ``keras.utils.set_random_seed`` so that weight
    initialisers and dropout are reproducible; data generators in the course
    take their own ``numpy.random.Generator`` and do not depend on it.
    Returns the ``keras`` module.
    """
    keras = import_keras_quietly()
    import numpy
    import tensorflow

    versions = {
        "python": ".".join(map(str, sys.version_info[:3])),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
    }
    if seed is not None:
        keras.utils.set_random_seed(seed)
    if verbose:
        where = "Colab" if in_colab() else "local"
        print(
            f"Python {versions['python']}, TensorFlow {versions['tensorflow']}, "
            f"Keras {versions['keras']} ({keras.backend.backend()} backend), "
            f"NumPy {versions['numpy']}; running {where}."
        )
    for warning in version_warnings(versions):
        print("Warning:", warning)
    mismatch = package_mismatch(os.environ.get(NOTEBOOK_VERSION_VARIABLE))
    if mismatch:
        print("Warning:", mismatch)
    return keras


#: Set by every notebook's Colab set-up cell to the package version it was made for.
NOTEBOOK_VERSION_VARIABLE = "RNNCOURSE_NOTEBOOK_VERSION"


def package_mismatch(notebook_version: str | None) -> str | None:
    """A warning when the notebook was made for another version of this package, else None."""
    from rnncourse import __version__

    if not notebook_version or notebook_version == __version__:
        return None
    return (
        f"this notebook was made for version {notebook_version} of the course package, but "
        f"version {__version__} is installed: its numbers may differ and its checks may not "
        "match the exercises. Open the notebook from the same commit as the package (in "
        "Colab: Runtime > Disconnect and delete runtime, then run the notebook again)."
    )
