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
import re
import signal
import sys
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
    #: what the learner's function printed while it was checked (the first
    #: lines, see :class:`CappedOutput`); shown above the verdict in a notebook
    printed: str = field(default="", compare=False)

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
        return {"exercise": self.exercise, "status": self.status, "message": self.message}


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


class TimeLimitExceeded(BaseException):
    """Raised inside learner code that runs longer than its time limit.

    It derives from ``BaseException``, as ``KeyboardInterrupt`` does, so that
    ``except Exception:`` in the learner's code does not swallow it.
    """


#: seconds between the alarms that follow the first one, for code that
#: swallows the time limit (``except BaseException:`` or a bare ``except:``);
#: each alarm gets out of one such ``try``, so nested ones take a few
RETRY_SECONDS = 0.1
#: after this many alarms (5 s) the check cell tells the learner what is going on
GIVE_UP_ALARMS = 50


class _Alarm:
    """The state of one :func:`time_limit` block: how often the alarm fired."""

    def __init__(self, seconds: float, notice=None):
        self.seconds = seconds
        self.fired = 0
        self.active = True
        self.notice = notice
        self.trapped: list = []
        self.previous_trace = None

    @property
    def swallowed(self) -> int:
        """Alarms after the first: each means the previous exception was caught."""
        return max(0, self.fired - 1)


def _is_learner_file(filename: str) -> bool:
    return not (filename.startswith(_PACKAGE_DIR) or filename.startswith(_LIBRARY_DIRS))


def _trap(alarm: _Alarm, frame) -> None:
    """Make the next line that runs in the learner's frames raise again.

    Code such as ``while True: try: ... except BaseException: continue``
    catches the alarm's exception; a trace function that raises on the next
    line of the learner's code (the ``continue``, inside the ``except``
    clause) gets out of that ``try``. CPython switches tracing off by itself
    once the trace function has raised.
    """

    def tracer(frame, event, arg):
        if not _is_learner_file(frame.f_code.co_filename):
            return None
        if event == "line" and alarm.active:
            raise TimeLimitExceeded(f"did not finish within {alarm.seconds:g} s")
        return tracer

    boundary = observe.__code__
    while frame is not None and frame.f_code is not boundary:
        if _is_learner_file(frame.f_code.co_filename):
            frame.f_trace = tracer
            frame.f_trace_lines = True
            alarm.trapped.append(frame)
        frame = frame.f_back
    sys.settrace(tracer)


@contextlib.contextmanager
def time_limit(seconds: float, notice: Callable[[str], None] | None = None):
    """Raise :class:`TimeLimitExceeded` in the block after ``seconds``.

    Yields an object whose ``fired`` counts the alarms. Code that catches the
    exception gets another one every :data:`RETRY_SECONDS`, and from the
    second on the next line of its own code raises too (see :func:`_trap`),
    which gets out of an ``except BaseException: continue`` in a loop. After
    :data:`GIVE_UP_ALARMS` alarms ``notice`` (if given) is called once with a
    message for the learner, and the alarms go on.

    Uses ``SIGALRM`` when running in the main thread of a POSIX process (the
    case in a Jupyter kernel and in the grader). Elsewhere (Windows, or a
    thread) Python code cannot be interrupted and the block runs without a
    limit; the grader's own process-level limit still applies there.
    """
    alarm = _Alarm(seconds, notice)
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds is None or seconds <= 0:
        yield alarm
        return

    def _raise(signum, frame):
        if not alarm.active or (frame is not None and frame.f_code in _QUIET_CODES):
            return  # never raise inside the clean-up below
        alarm.fired += 1
        if alarm.fired == 2:
            alarm.previous_trace = sys.gettrace()
        if alarm.fired >= 2:
            _trap(alarm, frame)
        if alarm.fired == GIVE_UP_ALARMS and alarm.notice is not None:
            alarm.notice(
                f"your code is still running {(alarm.fired - 1) * RETRY_SECONDS:g} s after its "
                f"time limit of "
                f"{seconds:g} s: it catches the exception that stops it (an `except "
                "BaseException:` or a bare `except:`, in a loop?). If it does not stop, "
                "interrupt the kernel (the ■ button) and catch only `Exception`."
            )
        raise TimeLimitExceeded(f"did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield alarm
    finally:
        _disarm(alarm, previous)


def _disarm(alarm: _Alarm, previous) -> None:
    alarm.active = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
    if alarm.fired >= 2:
        sys.settrace(alarm.previous_trace)
        for frame in alarm.trapped:
            frame.f_trace = None
        alarm.trapped.clear()


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_LIBRARY_DIRS = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})


def _learner_line(exc: BaseException) -> str:
    """The innermost traceback line in the learner's own code, if any."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not _is_learner_file(frame.filename):
            continue
        if frame.line:
            return f"line {frame.lineno}: {frame.line.strip()}"
    return ""


#: the message of the stub that ``rnncourse make-lessons`` writes in an
#: exercise: ``raise NotImplementedError("name: write your code here, ...")``
STUB_MESSAGE = "write your code here, then run the check below"
_STUB_START = STUB_MESSAGE.split(",")[0]  # "write your code here"


_STUB_PATTERN = re.compile(r"(?:\b([A-Za-z_]\w*): )?" + re.escape(_STUB_START))
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def is_stub_error(
    error_type: str, error_message: str, exercise: str | None = None, error_line: str = ""
) -> bool:
    """Whether an exception is the untouched stub's (the exercise is not attempted).

    The stub is ``raise NotImplementedError("name: write your code here, then
    run the check below")`` (:data:`STUB_MESSAGE`). It counts when the
    exception is a ``NotImplementedError`` whose message (or, failing that,
    the line that raised it) holds "write your code here", labelled with this
    exercise's name or with no label. A
    ``NotImplementedError`` that the learner's own code raises, or the stub of
    *another* exercise that this one calls, is a failure like any other
    exception. Keras wraps an exception raised inside a layer's ``call`` in a
    longer message, which still holds the stub's.
    """
    if error_type != "NotImplementedError":
        return False
    for text in (error_message, error_line):
        match = _STUB_PATTERN.search(_ANSI.sub("", text or ""))
        if match:
            return exercise is None or match.group(1) in (None, exercise)
    return False


# --------------------------------------------------------------------------
# What the learner's code prints while it is checked
# --------------------------------------------------------------------------

#: lines of printed output a check cell shows
PRINT_LINES = 20
_PRINT_LINE_CHARS = 200


class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first :data:`PRINT_LINES` lines and counts the rest.

    Writing to it is cheap whatever is printed, so that printing neither eats
    the time limit nor floods the notebook.
    """

    def __init__(self, limit: int = PRINT_LINES):
        super().__init__()
        self.limit = limit
        self.kept: list[str] = []
        self.newlines_seen = 0
        self.partial = False

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if not isinstance(text, str):
            text = str(text)
        if len(self.kept) <= self.limit:
            for piece in text.splitlines(keepends=True):
                if self.partial and self.kept:
                    self.kept[-1] = (self.kept[-1] + piece)[: _PRINT_LINE_CHARS + 1]
                elif len(self.kept) <= self.limit:
                    self.kept.append(piece[: _PRINT_LINE_CHARS + 1])
                self.partial = not piece.endswith(("\n", "\r"))
        else:
            self.partial = not text.endswith("\n") if text else self.partial
        self.newlines_seen += text.count("\n")
        return len(text)

    @property
    def lines(self) -> int:
        """How many lines were printed (a last line without a newline counts)."""
        return self.newlines_seen + (1 if self.partial else 0)

    def shown(self) -> str:
        """The first lines, with a note when there were more."""
        kept = [line.rstrip("\r\n") for line in self.kept[: self.limit]]
        kept = [
            line if len(line) <= _PRINT_LINE_CHARS else line[:_PRINT_LINE_CHARS] + "…"
            for line in kept
        ]
        text = "\n".join(kept)
        if self.lines > self.limit:
            text += (
                f"\n[your function printed {self.lines:,} lines; only the first "
                f"{self.limit} are shown]"
            )
        return text


@contextlib.contextmanager
def capture_output(sink: CappedOutput | None = None):
    """Send ``sys.stdout`` and ``sys.stderr`` into ``sink`` (a new :class:`CappedOutput`)."""
    sink = sink if sink is not None else CappedOutput()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield sink


def observe(run: Callable[[], object], seconds: float, notice=None) -> Observation:
    """Run ``run()`` under a time limit and record what happened, never raising.

    Only ``KeyboardInterrupt`` (the learner pressing stop) passes through. If
    the time limit fired, the observation is a timeout whatever the code did
    with the exception (``extra["swallowed"]`` counts the alarms it caught).
    """
    alarm = None
    try:
        with time_limit(seconds, notice) as alarm:
            value = run()
            value = plain(value)
    except KeyboardInterrupt:
        if alarm is not None and alarm.fired:
            return _timeout(seconds, alarm)
        raise
    except BaseException as exc:  # SystemExit, learner-defined exceptions, anything
        if isinstance(exc, TimeLimitExceeded) or (alarm is not None and alarm.fired):
            return _timeout(seconds, alarm)
        return Observation(
            "raised",
            error_type=type(exc).__name__,
            error_message=_short(str(exc)),
            error_line=_learner_line(exc),
        )
    if alarm is not None and alarm.fired:  # it caught every alarm, then returned late
        return _timeout(seconds, alarm)
    return Observation("value", value=value)


def _timeout(seconds: float, alarm: _Alarm | None) -> Observation:
    obs = Observation("timeout", seconds=seconds)
    if alarm is not None and alarm.swallowed:
        obs.extra["swallowed"] = alarm.swallowed
    return obs


_QUIET_CODES = frozenset(
    {
        _disarm.__code__,
        time_limit.__wrapped__.__code__,
        contextlib._GeneratorContextManager.__exit__.__code__,
    }
)


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
    """Plain data to JSON-compatible data (arrays as base64 ``.npy`` bytes).

    Tuples and NumPy scalars keep their type, so that a case sent to the
    grader's child decodes to the same objects as the check cell's copy.
    """
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(value), allow_pickle=False)
        return {"__scalar__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, Foreign):
        return {"__foreign__": value.type_name}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if isinstance(value, dict):
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
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
        if "__scalar__" in data:
            raw = base64.b64decode(data["__scalar__"])
            scalar = np.load(io.BytesIO(raw), allow_pickle=False)
            if scalar.shape != ():
                raise ValueError("an encoded scalar must have shape ()")
            return scalar[()]
        if "__tuple__" in data:
            return tuple(decode(v) for v in data["__tuple__"])
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
    return (
        rng.normal(0.0, 0.6, (input_dim, units)),
        rng.normal(0.0, 0.6, (units, units)),
        rng.normal(0.0, 0.5, units),
    )


# --------------------------------------------------------------------------
# Judging: compare with the reference and name the likely mistake.
# --------------------------------------------------------------------------


class Failure(Exception):
    """Raised by judges: the learner's answer is wrong, for the reason given."""


class NotYetAttempted(Exception):
    """Raised by judges: the exercise still holds its stub."""


def _shape(value) -> tuple | None:
    return tuple(value.shape) if isinstance(value, np.ndarray) else None


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


# Tolerances ---------------------------------------------------------------

#: the pass band of the default comparison, relative to the size of the values
FLOAT32_RTOL = 5e-3
#: the pass band with ``need_float64=True``, relative to the size of the values
FLOAT64_RTOL = 1e-9
#: differences up to this many times the pass band get a "precision" message (beyond it,
#: 1.5 % of the size of the values by default, a difference is a mistake, not rounding)
PRECISION_ZONE = 3.0
#: the pass band with ``exact_copy=True``, relative to each value: float32 rounding
COPY_RTOL = 2.0**-23
#: with ``exact_copy=True``, differences up to this fraction of the size of the values get the
#: message "changed" (rounded, float16, arithmetic); beyond it, "wrong values" (a wrong index)
COPY_CHANGED = 5e-2


def value_scale(expected, scale: float | None = None) -> float:
    """The size of the values: the largest finite ``|expected|`` (or ``scale``, if larger)."""
    expected = np.asarray(expected)
    size = 0.0
    if expected.size and expected.dtype.kind in "biuf":
        finite = np.abs(expected[np.isfinite(expected)].astype(np.float64))
        size = float(finite.max()) if finite.size else 0.0
    return max(size, float(scale or 0.0))


def tolerance(
    expected,
    *,
    need_float64: bool = False,
    scale: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    exact_copy: bool = False,
):
    """The largest difference accepted at each entry of ``expected`` (:func:`compare_arrays`)."""
    expected = np.asarray(expected)
    if exact_copy:
        if expected.dtype.kind in "biu":
            return 0.0
        return COPY_RTOL * np.abs(expected.astype(np.float64))
    given = None
    if rtol is not None or atol is not None:
        given = (atol or 0.0) + (rtol or 0.0) * np.abs(expected.astype(np.float64))
    if expected.dtype.kind in "biu" and scale is None:
        base = 0.0  # whole numbers: exact
    else:
        base = (FLOAT64_RTOL if need_float64 else FLOAT32_RTOL) * value_scale(expected, scale)
    if given is None:
        return base
    return given if need_float64 else np.maximum(given, base)


def _within(got: np.ndarray, want: np.ndarray, band) -> bool:
    """``|got - want| <= band`` at every entry; NaN and infinities must sit in the same places."""
    if got.shape != want.shape:
        return False
    finite = np.isfinite(want)
    if not np.all(finite):
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if not np.all(same[~finite]):
            return False
    with np.errstate(invalid="ignore"):
        diff = np.abs(got - want)
    return bool(np.all(diff[finite] <= np.broadcast_to(band, want.shape)[finite]))


def is_close(
    got,
    expected,
    *,
    need_float64: bool = False,
    scale: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    exact_copy: bool = False,
) -> bool:
    """Whether ``got`` agrees with ``expected`` within the tolerance of :func:`compare_arrays`.

    For checks that compare by hand (lists of arrays, single numbers, a
    mistake to name): the same rule, so that a right answer computed in
    float32 is close here too.
    """
    try:
        got = np.asarray(got, dtype=np.float64)
        want = np.asarray(expected)
        band = tolerance(want, need_float64=need_float64, scale=scale, rtol=rtol, atol=atol,
                         exact_copy=exact_copy)
        return _within(got, want.astype(np.float64), band)
    except (TypeError, ValueError):
        return False


def _about(x: float) -> str:
    """``3e-06`` as ``3e-6``: a difference to one significant digit."""
    if not math.isfinite(x):
        return str(x)
    mantissa, _, exponent = f"{x:.0e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def compare_arrays(
    got,
    expected: np.ndarray,
    mistakes: Sequence[tuple[str, np.ndarray]] = (),
    *,
    what: str = "the output",
    need_float64: bool = False,
    scale: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    exact_copy: bool = False,
) -> None:
    """Raise :class:`Failure` naming the likely mistake unless ``got ≈ expected``.

    **The tolerance.** Let ``s`` be the size of the values, the largest finite
    ``|expected|`` (or ``scale``, when given and larger). ``got`` passes when
    every entry satisfies ``|got_i - expected_i| <= b_i`` with

    * by default ``b_i = FLOAT32_RTOL * s`` (5e-3 of the size of the values);
    * with ``need_float64=True``, ``b_i = FLOAT64_RTOL * s`` (1e-9);
    * for whole-number ``expected`` (an integer dtype: ids, counts), ``b_i = 0``;
    * with ``exact_copy=True``, for answers that only copy or rearrange values of the
      inputs (windows, indexing, repeats: no arithmetic), ``b_i = 2**-23 * |expected_i|``,
      float32's rounding of each value: a float32 copy passes, while rounding, float16
      or any arithmetic on the values fails with a message that says the values were
      changed (never "precision");
    * ``rtol`` / ``atol``, when given, set ``b_i = atol + rtol * |expected_i|``
      as in ``np.allclose``, but only to widen the default band (the larger of
      the two counts); with ``need_float64=True`` they replace it.

    Why a band proportional to ``s`` rather than to each entry: the error of a
    float32 computation is relative to the size of the numbers it handles,
    not to the result at each entry. float32 stores a number to a relative
    ``2**-24 ≈ 6e-8``, and a sum of ``n`` terms of size ``t`` is off by about
    ``sqrt(n) * 6e-8 * t`` (``n * 6e-8 * t`` at worst), so an entry of a
    matrix product that happens to be near zero carries the same absolute
    error as its neighbours. On a GPU, TensorFlow multiplies float32 matrices
    in TF32 by default, which rounds the inputs to ``2**-11 ≈ 5e-4``: a
    product is then off by up to about ``1e-3`` of the size of its terms, and a
    recurrence amplifies that. Simulated on the course's kind of cases
    (sizes 2 to 8, N(0, 1) inputs, N(0, 0.6²) weights), one tanh-RNN step is
    off by at most 4e-3 of ``s`` in 3000 draws (median 7e-4), dot-product
    attention by 3e-3, and an eight-step forward pass by 4e-3 in 99% of the
    draws (the rest is left to the precision message, which names TF32).
    ``5e-3 * s`` accepts these, and stays below the difference that one
    wrong term makes (typically a tenth of ``s`` or more; a case on which a
    mistake differs by less than the band cannot tell it apart). Logits near
    1000 are stored to about ``6e-5``, which a softmax turns into a relative
    error of ``6e-5`` of each probability: well inside the band. When the
    answer is a small difference of large terms (cancellation), pass the size
    of the terms as ``scale``.

    **Messages.** ``mistakes`` are ``(message, value)`` pairs: the answer a
    typical mistake gives on the same inputs, each differing from the right
    one in one term. A mistake is named when ``got`` lies within the mistake's
    own band of its value, and that value lies outside the right answer's band
    (on a case where the mistake changes nothing, it is never named). They
    are tried before the generic messages, so that a wrong shape that a known
    mistake explains ("you returned only the last state") is named. A
    difference just outside the band (up to ``PRECISION_ZONE`` = 3 times it)
    fails with a message about precision, never "wrong values"; with
    ``need_float64=True`` a difference that float32 explains says to use
    float64 ("close to the answer, but only to about 3e-6: did you compute in
    float32? use float64 here").
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
    got_dtype = got.dtype
    got = got.astype(np.float64, copy=False)
    options = {"need_float64": need_float64, "scale": scale, "rtol": rtol, "atol": atol,
               "exact_copy": exact_copy}
    band = tolerance(expected, **options)
    want = expected.astype(np.float64, copy=False)
    if _within(got, want, band):
        return
    for message, wrong in mistakes:
        wrong = np.asarray(wrong)
        wrong_band = tolerance(wrong, **options)
        wrong = wrong.astype(np.float64, copy=False)
        if _within(got, wrong, wrong_band) and not _within(wrong, want, band):
            raise Failure(message)
    if got.shape != expected.shape:
        hint = ""
        if got.shape == expected.shape[::-1] and got.ndim > 1:
            hint = " It looks transposed."
        elif got.size == expected.size:
            hint = " It has the right number of entries: check the axis order."
        raise Failure(f"{what} has shape {got.shape}, expected {expected.shape}.{hint}")
    finite = np.isfinite(want)
    if not np.all(np.isfinite(got)[finite]):
        raise Failure(f"{what} contains NaN or infinity where finite values were expected.")
    if not _within(got, want, np.inf):
        raise Failure(f"{what} has NaN or infinity where it should not, or misses some.")
    diff = np.where(finite, np.abs(got - np.where(finite, want, 0.0)), 0.0)
    where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    index = tuple(int(i) for i in where)
    at = f", at index {index}" if diff.ndim else ""
    largest = float(diff.max()) if diff.size else 0.0
    size = value_scale(expected, scale)
    relative = largest / size if size > 0 else math.inf
    if exact_copy and largest <= COPY_CHANGED * size:
        rounded = " (your result has dtype float16)" if got_dtype == np.float16 else ""
        raise Failure(
            f"{what} has the right shape {expected.shape} but its values are changed: the largest "
            f"difference is {largest:.3g}{at}, {_about(relative)} of the size of the values. "
            "This exercise only copies values of the input, which float32 keeps to about 1e-7 of "
            f"each value{rounded}: did you round, convert to float16, or compute on the values?"
        )
    if need_float64:
        float32_band = tolerance(expected, scale=scale)
        if _within(got, want, float32_band):
            note = f" (your result has dtype {got_dtype})" if got_dtype.itemsize < 8 else ""
            raise Failure(
                f"{what} is close to the answer, but only to about {_about(relative)}: did you "
                f"compute in float32? use float64 here{note}; this exercise needs float64, "
                f"which agrees to about {_about(FLOAT64_RTOL)} of the size of the values."
            )
        band = float32_band
    if _within(got, want, PRECISION_ZONE * np.asarray(band)):
        raise Failure(
            f"{what} is close to the answer, but only to about {_about(relative)} of the size of "
            f"its values (the largest difference is {largest:.3g}{at}), where a "
            f"float32 computation gets within {_about(FLOAT32_RTOL)}: a precision problem. Did "
            "you compute in float16 or bfloat16, or round or approximate a value on the way? On "
            "a GPU, TensorFlow multiplies float32 matrices in TF32: switch it off with "
            "`tf.config.experimental.enable_tensor_float_32_execution(False)`, or use NumPy."
        )
    if not diff.ndim:
        raise Failure(f"{what} has a wrong value: it is off by {largest:.3g}.")
    raise Failure(
        f"{what} has the right shape {expected.shape} but wrong values: the largest "
        f"difference is {largest:.3g} at index {index}."
    )


def compare_number(
    got,
    expected: float,
    mistakes: Sequence[tuple[str, float]] = (),
    *,
    what: str = "the result",
    need_float64: bool = False,
    scale: float | None = None,
) -> None:
    """:func:`compare_arrays` for one number (a Python number, a 0-d or 1-entry array).

    The band is relative to ``|expected|`` (or ``scale``): 5e-3 of it by
    default, 1e-9 with ``need_float64=True``.
    """
    if got is None:
        raise Failure(f"{what} is None: did you forget the `return` statement?")
    if isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "biuf":
        got = got.reshape(())
    elif isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, bool):
        got = np.asarray(got, dtype=np.float64)
    else:
        raise Failure(f"{what} should be one number, but it is {describe(got)}.")
    compare_arrays(
        got,
        np.asarray(expected, dtype=np.float64),
        [(message, np.asarray(value, dtype=np.float64)) for message, value in mistakes],
        what=what,
        need_float64=need_float64,
        scale=scale,
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
        return Verdict(function_name, FAILED, timeout_message(obs))
    if is_stub_error(obs.error_type, obs.error_message, function_name, obs.error_line):
        return Verdict(
            function_name,
            NOT_ATTEMPTED,
            "replace the `raise NotImplementedError(...)` line with your code.",
        )
    where = f" ({obs.error_line})" if obs.error_line else ""
    message = f"your code raised {obs.error_type}{where}: {obs.error_message}"
    return Verdict(function_name, FAILED, message)


def timeout_message(obs: Observation) -> str:
    """The message for a timeout, which says what else the code did meanwhile."""
    message = f"your code did not finish within {obs.seconds:g} s"
    printed = obs.extra.get("printed_lines", 0)
    swallowed = obs.extra.get("swallowed", 0)
    if isinstance(printed, (int, float)) and printed > PRINT_LINES:
        message += (
            f"; it printed {int(printed):,} lines meanwhile: printing in a loop is slow, "
            "remove the print calls (or look for an endless loop)"
        )
    else:
        message += ": look for an endless loop"
    if isinstance(swallowed, (int, float)) and swallowed > 0:
        message += (
            f". It also caught the exception that stops it {int(swallowed)} time(s): "
            "catch `Exception`, not `BaseException`, and no bare `except:`"
        )
    return message + "."


def modified_message(name: str, original) -> str:
    """The message for a read-only input that the learner's function changed."""
    if isinstance(original, (list, tuple)):
        fix = f"e.g. `{name} = [g.copy() for g in {name}]`"
    elif isinstance(original, dict):
        fix = f"e.g. `{name} = {{k: v.copy() for k, v in {name}.items()}}`"
    else:
        stem = name.split("_")[0] if "_" in name else name
        copy_name = stem if stem != name else f"{name}_copy"
        fix = f"e.g. `{copy_name} = {name}.copy()`"
    return (
        f"your function modified `{name}` in place; the exercise asks you to leave its "
        f"inputs unchanged: work on a copy, {fix} (`+=`, `*=` and assigning into "
        f"`{name}[...]` all change the caller's array)."
    )


def input_name(names: Sequence[str], position: int) -> str:
    """The name of a case's input at ``position`` (``"argument 2"`` when unnamed)."""
    if 0 <= position < len(names) and names[position]:
        return str(names[position])
    return f"argument {position + 1}"


def same_data(a, b) -> bool:
    """Whether two inputs hold the same data (arrays, numbers, nested lists/tuples/dicts).

    NaN equals NaN; shapes and dtypes must agree. Objects that cannot be
    compared count as unchanged.
    """
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
                return False
            if a.shape != b.shape or a.dtype != b.dtype:
                return False
            if a.dtype.kind in "fc":
                return bool(np.array_equal(a, b, equal_nan=True))
            if a.dtype.kind == "O":
                return all(same_data(x, y) for x, y in zip(a.ravel(), b.ravel()))
            return bool(np.array_equal(a, b))
        if isinstance(a, (list, tuple)):
            return (
                type(a) is type(b)
                and len(a) == len(b)
                and all(same_data(x, y) for x, y in zip(a, b))
            )
        if isinstance(a, dict):
            return (
                isinstance(b, dict)
                and a.keys() == b.keys()
                and all(same_data(a[k], b[k]) for k in a)
            )
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        result = a == b
        return bool(result) if isinstance(result, (bool, np.bool_)) else True
    except Exception:
        return True
