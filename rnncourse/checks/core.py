"""The machinery shared by every check: verdicts, time limits, observations.

An exercise is checked in two halves, so that the grader can run them in
different processes:

1. *observe* (in the learner's process): call the learner's function on a
   case, under a time limit, catching everything it might raise, and turn the
   result into plain data (:func:`plain`): NumPy arrays, numbers, strings,
   ``None``, lists and dicts of those.
2. *judge* (in the checker's process): compare that plain data with the
   reference answer and, when they differ, with the answers that typical
   mistakes would give, and name the mistake (:func:`compare_arrays`).

In a notebook both halves run in the kernel (:func:`rnncourse.checks.check`).
The grader runs the first half in a separate process and the second half in
its own, so a learner's code cannot change the verdict, only the values.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import signal
import sysconfig
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)

_SYMBOL = {PASSED: "✅", FAILED: "❌", NOT_ATTEMPTED: "⏳"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one exercise."""

    exercise: str
    status: str
    message: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        text = f"{_SYMBOL[self.status]} {self.exercise}: {self.status}"
        return f"{text} — {self.message}" if self.message else text

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------
# Observations: what happened when the learner's function ran on one case.
# --------------------------------------------------------------------------


@dataclass
class Observation:
    """What the learner's code did on one case.

    ``kind`` is ``"value"`` (it returned ``value``), ``"raised"`` (it raised
    ``error_type`` with ``error_message``), ``"timeout"`` (it ran longer than
    ``seconds``) or ``"missing"`` (the function is not defined).
    """

    kind: str
    value: object = None
    error_type: str = ""
    error_message: str = ""
    error_line: str = ""
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


class TimeLimitExceeded(Exception):
    """Raised inside learner code that runs longer than its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeLimitExceeded` in the block after ``seconds``.

    Uses ``SIGALRM`` when running in the main thread of a POSIX process (the
    case in a Jupyter kernel and in the grader). Elsewhere (Windows, or a
    thread) Python code cannot be interrupted and the block runs without a
    limit; the grader's own process-level limit still applies there.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds is None or seconds <= 0:
        yield
        return

    def _raise(signum, frame):
        raise TimeLimitExceeded(f"did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_LIBRARY_DIRS = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})


def _learner_line(exc: BaseException) -> str:
    """The innermost traceback line in the learner's own code, if any."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        filename = frame.filename
        if filename.startswith(_PACKAGE_DIR) or filename.startswith(_LIBRARY_DIRS):
            continue
        if frame.line:
            return f"line {frame.lineno}: {frame.line.strip()}"
    return ""


def observe(run: Callable[[], object], seconds: float) -> Observation:
    """Run ``run()`` under a time limit and record what happened, never raising.

    Only ``KeyboardInterrupt`` (the learner pressing stop) passes through.
    """
    try:
        with time_limit(seconds):
            value = run()
            value = plain(value)
    except TimeLimitExceeded:
        return Observation("timeout", seconds=seconds)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit, learner-defined exceptions, anything
        return Observation(
            "raised",
            error_type=type(exc).__name__,
            error_message=_short(str(exc)),
            error_line=_learner_line(exc),
        )
    return Observation("value", value=value)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------
# Plain data: the only things that cross from the learner's process.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Foreign:
    """Stands for a returned object that is not plain data (its type name)."""

    type_name: str

    def __str__(self):
        return f"an object of type {self.type_name}"


def plain(value, _depth: int = 0):
    """Turn a learner's return value into plain data (see module docstring).

    Tensors and anything with ``__array__`` become NumPy arrays; objects that
    cannot be converted become :class:`Foreign` so that the judge can say
    what was returned instead of crashing.
    """
    if _depth > 4:
        return Foreign("deeply nested container")
    if value is None or isinstance(value, (bool, str, Foreign)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            array = None
        if array is not None and array.dtype.kind in "biuf" and array.size <= 10_000_000:
            return array
        return [plain(v, _depth + 1) for v in value]
    if isinstance(value, np.ndarray) or hasattr(value, "__array__") or hasattr(value, "numpy"):
        try:
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        except Exception:
            return Foreign(type(value).__name__)
        if array.dtype.kind in "biuf":
            return array
        return Foreign(f"{type(value).__name__} with dtype {array.dtype}")
    return Foreign(type(value).__name__)


def encode(value):
    """Plain data to JSON-compatible data (arrays as base64 ``.npy`` bytes)."""
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, Foreign):
        return {"__foreign__": value.type_name}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if isinstance(value, dict):
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}; call plain() first")


def decode(data):
    """Inverse of :func:`encode`; never unpickles (safe on untrusted input)."""
    if isinstance(data, dict):
        if "__ndarray__" in data:
            raw = base64.b64decode(data["__ndarray__"])
            return np.load(io.BytesIO(raw), allow_pickle=False)
        if "__foreign__" in data:
            return Foreign(str(data["__foreign__"]))
        if "__float__" in data:
            return float(data["__float__"])
        if "__dict__" in data:
            return {str(k): decode(v) for k, v in data["__dict__"].items()}
        raise ValueError("unknown encoded object")
    if isinstance(data, list):
        return [decode(v) for v in data]
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    raise ValueError(f"unexpected {type(data).__name__} in encoded data")


def encode_observation(obs: Observation) -> dict:
    data = asdict(obs)
    data["value"] = encode(obs.value)
    data["extra"] = {k: encode(v) for k, v in obs.extra.items()}
    return data


def decode_observation(data: dict) -> Observation:
    return Observation(
        kind=str(data["kind"]),
        value=decode(data.get("value")),
        error_type=str(data.get("error_type", "")),
        error_message=str(data.get("error_message", "")),
        error_line=str(data.get("error_line", "")),
        seconds=float(data.get("seconds", 0.0)),
        extra={str(k): decode(v) for k, v in dict(data.get("extra", {})).items()},
    )


def distinct_sizes(rng: np.random.Generator, count: int, low: int = 2, high: int = 7) -> list[int]:
    """``count`` different sizes in [low, high], so that a swapped axis shows in the shape."""
    return [int(v) for v in rng.choice(np.arange(low, high + 1), size=count, replace=False)]


def rnn_weights(rng: np.random.Generator, input_dim: int, units: int):
    """Vanilla-RNN weights (W_xh, W_hh, b_h) scaled so that tanh works in its curved range."""
    return (rng.normal(0.0, 0.6, (input_dim, units)), rng.normal(0.0, 0.6, (units, units)),
            rng.normal(0.0, 0.5, units))


# --------------------------------------------------------------------------
# Judging: compare with the reference and name the likely mistake.
# --------------------------------------------------------------------------


class Failure(Exception):
    """Raised by judges: the learner's answer is wrong, for the reason given."""


class NotYetAttempted(Exception):
    """Raised by judges: the exercise still holds its stub."""


def _shape(value) -> tuple | None:
    return tuple(value.shape) if isinstance(value, np.ndarray) else None


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def describe(value) -> str:
    """A short description of a returned value, for failure messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {tuple(value.shape)}"
    if isinstance(value, Foreign):
        return str(value)
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return f"{type(value).__name__} {value!r}"[:80]


def compare_arrays(
    got,
    expected: np.ndarray,
    mistakes: Sequence[tuple[str, np.ndarray]] = (),
    *,
    what: str = "the output",
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Raise :class:`Failure` naming the likely mistake unless ``got ≈ expected``.

    ``mistakes`` are ``(message, value)`` pairs: the answer a typical mistake
    gives on the same inputs, each differing from the right one in one term.
    They are tried before the generic messages, so that a wrong shape that a
    known mistake explains ("you returned only the last state") is named.
    """
    expected = np.asarray(expected)
    if got is None:
        raise Failure(f"{what} is None: did you forget the `return` statement?")
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        got = np.asarray(got, dtype=float)
    if not isinstance(got, np.ndarray):
        raise Failure(
            f"{what} should be a NumPy array of shape {expected.shape}, but it is {describe(got)}."
        )
    got = got.astype(np.float64, copy=False)
    if _close(got, expected, rtol, atol):
        return
    for message, wrong in mistakes:
        wrong = np.asarray(wrong, dtype=np.float64)
        if _close(got, wrong, rtol, atol) and not _close(wrong, expected, rtol, atol):
            raise Failure(message)
    if got.shape != expected.shape:
        hint = ""
        if got.shape == expected.shape[::-1] and got.ndim > 1:
            hint = " It looks transposed."
        elif got.size == expected.size:
            hint = " It has the right number of entries: check the axis order."
        raise Failure(f"{what} has shape {got.shape}, expected {expected.shape}.{hint}")
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        raise Failure(f"{what} contains NaN or infinity where finite values were expected.")
    diff = np.abs(got - expected)
    where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    raise Failure(
        f"{what} has the right shape {expected.shape} but wrong values: the largest "
        f"difference is {float(diff.max()):.3g} at index {tuple(int(i) for i in where)}."
    )


def failure_for_observation(obs: Observation, function_name: str) -> Verdict | None:
    """The verdict when the learner's code did not return a value, else ``None``."""
    if obs.kind == "value":
        return None
    if obs.kind == "missing":
        return Verdict(
            function_name,
            NOT_ATTEMPTED,
            f"`{function_name}` is not defined yet: run the exercise cell above first.",
        )
    if obs.kind == "timeout":
        return Verdict(
            function_name,
            FAILED,
            f"your code did not finish within {obs.seconds:g} s: look for an endless loop.",
        )
    if obs.error_type == "NotImplementedError":
        return Verdict(
            function_name,
            NOT_ATTEMPTED,
            "replace the `raise NotImplementedError(...)` line with your code.",
        )
    where = f" ({obs.error_line})" if obs.error_line else ""
    message = f"your code raised {obs.error_type}{where}: {obs.error_message}"
    return Verdict(function_name, FAILED, message)
