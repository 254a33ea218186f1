"""Checks for lesson 07: sequence to sequence, teacher forcing and exposure bias.

Each wrong answer listed here differs from the right one in a single term,
so that a match names the mistake.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.training import decoder_inputs_from_targets as ref_decoder_inputs
from rnncourse.training import greedy_decode as ref_greedy_decode
from rnncourse.training import teacher_forcing_probability as ref_probability

# --------------------------------------------------------------------------- decoder inputs


def _decoder_input_mistakes(targets, start_token):
    batch = targets.shape[0]
    start = np.full((batch, 1), start_token)
    return [
        (
            "your output equals the targets: shift them right by one step, so that the decoder "
            "sees y_{t-1} (not y_t, the answer) when it predicts y_t.",
            targets,
        ),
        (
            "you wrote the start token over the first target instead of shifting: the output "
            "should be [start, y_1, ..., y_{T-1}], so y_1 moves to position 1.",
            np.concatenate([start, targets[:, 1:]], axis=1),
        ),
        (
            "you shifted left: the decoder would see the next target y_{t+1}. Shift right: "
            "[start, y_1, ..., y_{T-1}].",
            np.concatenate([targets[:, 1:], start], axis=1),
        ),
        (
            "you shifted left (np.roll with -1?): shift right, [start, y_1, ..., y_{T-1}].",
            np.roll(targets, -1, axis=1),
        ),
        (
            "the start token is missing: np.roll wraps the last target y_T around to the front; "
            "put start_token at position 0 instead.",
            np.roll(targets, 1, axis=1),
        ),
        (
            "the start token is missing: position 0 holds 0; put start_token there.",
            np.concatenate([np.zeros_like(start), targets[:, :-1]], axis=1),
        ),
        (
            "the start token is missing: position 0 repeats y_1; put start_token there.",
            np.concatenate([targets[:, :1], targets[:, :-1]], axis=1),
        ),
        (
            "your output has T + 1 steps: after putting the start token in front, drop the LAST "
            "target y_T so that the length stays T.",
            np.concatenate([start, targets], axis=1),
        ),
        (
            "you put the start token at the end: it goes at position 0 (time axis 1), in front "
            "of y_1.",
            np.concatenate([targets[:, :-1], start], axis=1),
        ),
        (
            "you added the start token along the batch axis: the time axis is axis 1.",
            np.concatenate([np.full((1, targets.shape[1]), start_token), targets[:-1]], axis=0),
        ),
    ]


@register
class MakeDecoderInputs(Exercise):
    """``make_decoder_inputs(targets, start_token) -> (batch, T)``."""

    name = "make_decoder_inputs"
    lesson = "07"
    input_names = ("targets", "start_token")
    read_only_inputs = ("targets",)  # the text: "Do not modify `targets`"

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps = distinct_sizes(rng, 2, 3, 9)
            vocabulary = int(rng.integers(5, 10))
            targets = rng.integers(0, vocabulary, size=(batch, steps))
            start_token = vocabulary + int(rng.integers(0, 3))  # an id no target uses
            cases.append((targets, start_token))
        return cases

    def judge(self, case, value):
        targets, start_token = case
        compare_arrays(
            value,
            ref_decoder_inputs(targets, start_token),
            _decoder_input_mistakes(targets, start_token),
            what="the decoder inputs",
        )
        _require_integers(value, "the decoder inputs")


def _require_integers(value, what):
    """Token ids must stay integers (the text asks for an integer array)."""
    if not np.issubdtype(np.asarray(value).dtype, np.integer):
        raise Failure(
            f"{what} have the right values but dtype {np.asarray(value).dtype}: "
            "token ids must be an integer array (they index an embedding). Build "
            "it from the integer inputs, or convert with .astype(targets.dtype) / "
            ".astype(np.int64)."
        )


# --------------------------------------------------------------------------- schedules

_SCHEDULES = ("linear", "exponential", "inverse_sigmoid")


def _schedule_mistakes(i, schedule, k, c, epsilon):
    right = ref_probability(i, schedule, **_params(schedule, k, c, epsilon))
    swapped = (
        "you returned the probability of SAMPLING (feeding the model's own prediction), "
        "1 - epsilon_i; return the probability of teacher forcing, epsilon_i, which "
        "starts near 1 and falls.",
        1.0 - right,
    )
    with np.errstate(over="ignore"):
        if schedule == "inverse_sigmoid":
            return [
                (
                    "you wrote exp(i) where the schedule has exp(i / k): the probability then "
                    "collapses after a few steps whatever k is.",
                    k / (k + np.exp(i)),
                ),
                swapped,
                (
                    "the sign in the exponent is wrong: exp(-i / k) makes the probability RISE "
                    "towards 1; use exp(i / k).",
                    k / (k + np.exp(-i / k)),
                ),
                (
                    "the numerator should be k, not 1: epsilon_i = k / (k + exp(i / k)).",
                    1.0 / (k + np.exp(i / k)),
                ),
                (
                    "the denominator should be k + exp(i / k), not 1 + exp(i / k).",
                    k / (1.0 + np.exp(i / k)),
                ),
            ]
        if schedule == "exponential":
            return [
                swapped,
                (
                    "you wrote exp(-k i); the exponential schedule is k ** i (0 < k < 1).",
                    np.exp(-k * i),
                ),
                (
                    "you wrote k ** -i, which grows above 1; the schedule is k ** i.",
                    np.power(k, -i),
                ),
                ("you wrote k * i; the exponential schedule is k ** i.", k * i),
            ]
    return [
        (
            "the linear schedule is not clipped at the floor epsilon: use max(epsilon, k - c i) "
            "(without the floor it goes below epsilon, even negative).",
            k - c * i,
        ),
        (
            "you clipped at 0 instead of at epsilon: use max(epsilon, k - c i).",
            np.maximum(0.0, k - c * i),
        ),
        (
            "you used min where the floor needs max: max(epsilon, k - c i).",
            np.minimum(epsilon, k - c * i),
        ),
        swapped,
        (
            "the slope has the wrong sign: the probability falls, k - c i, it does not rise.",
            np.maximum(epsilon, k + c * i),
        ),
        ("you started at 1 instead of k: max(epsilon, k - c i).", np.maximum(epsilon, 1.0 - c * i)),
    ]


def _params(schedule, k, c, epsilon):
    if schedule == "linear":
        return {"k": k, "c": c, "epsilon": epsilon}
    return {"k": k}


@register
class TeacherForcingSchedule(Exercise):
    """``teacher_forcing_schedule(i, schedule, k, c, epsilon) -> probabilities``."""

    name = "teacher_forcing_schedule"
    lesson = "07"
    input_names = ("i", "schedule", "k", "c", "epsilon")

    def cases(self, rng):
        cases = []
        for schedule in _SCHEDULES:
            if schedule == "linear":
                k = float(rng.uniform(0.8, 0.95))  # away from 1: "started at 1" must show
                steps = int(rng.integers(40, 80))
                c = float(rng.uniform(1.5, 3.0) * k / steps)  # reaches the floor midway
                epsilon = float(rng.uniform(0.05, 0.3))
            elif schedule == "exponential":
                k, steps = float(rng.uniform(0.9, 0.99)), int(rng.integers(40, 80))
                c, epsilon = 0.01, 0.0
            else:
                k = float(rng.uniform(5.0, 40.0))
                steps = int(3 * k * np.log(k)) + int(rng.integers(5, 20))
                c, epsilon = 0.01, 0.0
            i = np.arange(steps, dtype=np.int64)
            cases.append((i, schedule, k, c, epsilon))
        return cases

    def judge(self, case, value):
        i, schedule, k, c, epsilon = case
        right = ref_probability(i, schedule, **_params(schedule, k, c, epsilon))
        compare_arrays(
            value,
            right,
            _schedule_mistakes(i.astype(np.float64), schedule, k, c, epsilon),
            what=f"the {schedule} schedule (k={k:.3g}"
            + (f", c={c:.3g}, epsilon={epsilon:.3g})" if schedule == "linear" else ")"),
        )


# --------------------------------------------------------------------------- greedy decoding


def toy_step_function(table, stop_at, end_token):
    """A deterministic decoder step in NumPy, for checking greedy decoders.

    The state is a counter per row, ``(batch, 1)``. The next token is
    ``table[token, counter % V]``, except that a row emits ``end_token`` once,
    when its counter equals ``stop_at[row]`` (afterwards it goes on with the
    table, so a decoder that does not stop at END shows it). Scores are one-hot.
    """
    table = np.asarray(table, dtype=np.int64)
    stop_at = np.asarray(stop_at, dtype=np.int64)
    vocabulary = table.shape[0]

    def step(tokens, states):
        tokens = np.asarray(tokens).reshape(-1).astype(np.int64) % vocabulary
        counter = np.asarray(states[0])
        position = counter[:, 0].astype(np.int64)
        following = table[tokens, position % vocabulary]
        chosen = np.where(position == stop_at, end_token, following)
        return np.eye(vocabulary)[chosen], [counter + 1.0]

    return step


def _decode_variant(
    step,
    initial_states,
    start_token,
    end_token,
    max_length,
    *,
    feed_back=True,
    pad=True,
    stop=True,
    keep_start=False,
    steps=None,
    stop_any=False,
    drop_last=False,
):
    """Greedy decoding with one thing changed, to compute a mistake's answer."""
    states = list(initial_states)
    batch = np.shape(states[0])[0]
    tokens = np.full(batch, start_token, dtype=np.int64)
    finished = np.zeros(batch, dtype=bool)
    outputs = [tokens.copy()] if keep_start else []
    for _ in range(max_length if steps is None else steps):
        scores, states = step(tokens if feed_back else np.full(batch, start_token), states)
        chosen = np.argmax(scores, axis=-1).astype(np.int64)
        tokens = np.where(finished, end_token, chosen) if pad else chosen
        finished |= tokens == end_token
        done = finished.any() if stop_any else finished.all()
        if drop_last and stop and done:
            break
        outputs.append(tokens)
        if stop and done:
            break
    if not outputs:
        return np.zeros((batch, 0), dtype=np.int64)
    return np.stack(outputs, axis=1)


def _table(rng, vocabulary, start_token, end_token):
    """A next-token table that never gives END, whose start row is unique in every column
    and never leads back to the start token: so a decoder that feeds the start token at
    every step differs from one that feeds back its choices from the second step on."""
    table = np.empty((vocabulary, vocabulary), dtype=np.int64)
    others = np.array([v for v in range(vocabulary) if v != end_token])
    for column in range(vocabulary):
        first = int(rng.choice(others[others != start_token]))
        table[:, column] = rng.choice(others[others != first], size=vocabulary)
        table[start_token, column] = first
    return table


@register
class GreedyDecoder(Exercise):
    """``greedy_decoder(step, initial_states, start_token, end_token, max_length)``.

    A case is ``(table, stop_at, counters, start_token, end_token, max_length)``:
    :meth:`run` turns the first three into a toy step function and its initial
    state (cases must be plain data for the grader).
    """

    name = "greedy_decoder"
    lesson = "07"

    def cases(self, rng):
        """Every case has a row that ends at the first step and rows that end at
        different steps; the first and third cases end within ``max_length - 1``
        steps (the loop must stop early), the second has a row that never ends."""
        cases = []
        for all_end in (True, False, True):
            batch, vocabulary, max_length = distinct_sizes(rng, 3, 4, 9)
            start_token, end_token = (int(v) for v in rng.choice(vocabulary, 2, replace=False))
            table = _table(rng, vocabulary, start_token, end_token)
            counters = rng.integers(0, 4, size=(batch, 1)).astype(np.float64)
            # the counter at decoding step s (from 0) is counters + s, so a row emits END
            # at step stop_at - counters
            end_step = rng.integers(0, max_length - 2, size=batch)
            end_step[0] = max_length - 2 if all_end else max_length + 5  # last, or never
            end_step[1] = 0  # this row ends at the first step
            stop_at = counters[:, 0].astype(np.int64) + end_step
            order = rng.permutation(batch)  # the special rows anywhere in the batch
            cases.append(
                (table, stop_at[order], counters[order], start_token, end_token, max_length)
            )
        return cases

    def run(self, function, case):
        table, stop_at, counters, start_token, end_token, max_length = case
        step = toy_step_function(table, stop_at, end_token)
        return function(
            step, [np.array(counters, dtype=np.float64)], start_token, end_token, max_length
        )

    def judge(self, case, value):
        table, stop_at, counters, start_token, end_token, max_length = case
        step = toy_step_function(table, stop_at, end_token)
        states = [np.array(counters, dtype=np.float64)]
        args = (step, states, start_token, end_token, max_length)
        right = ref_greedy_decode(
            step, states, start_token=start_token, end_token=end_token, max_length=max_length
        )
        if isinstance(value, list):
            try:
                value = np.asarray(value)
            except (ValueError, TypeError):
                raise Failure(
                    f"return an array of token ids, shape {right.shape}; you "
                    f"returned {describe(value)}."
                ) from None
        mistakes = [
            (
                "your output starts with the start token: the start token is only the first "
                "INPUT; return the tokens the decoder chose.",
                _decode_variant(*args, keep_start=True),
            ),
            (
                "your output starts with the start token: the start token is only the first "
                "INPUT; return the tokens the decoder chose.",
                _decode_variant(*args, keep_start=True, steps=max_length - 1),
            ),
            (
                "you do not feed back the chosen token: at every step the input should be the "
                "argmax of the previous step's scores (the start token only at the first step).",
                _decode_variant(*args, feed_back=False),
            ),
            (
                "you do not stop at END: once a row has produced end_token, the rest of that row "
                "must be end_token (padding), and the loop ends when every row has ended.",
                _decode_variant(*args, pad=False, stop=False),
            ),
            (
                "rows that have ended go on producing tokens: after a row's end_token, fill the "
                "rest of that row with end_token.",
                _decode_variant(*args, pad=False),
            ),
            (
                "you do not stop the loop when every row has produced end_token: break out as "
                "soon as all rows have ended, so the output can be shorter than max_length.",
                _decode_variant(*args, stop=False),
            ),
            (
                "off by one: you decoded max_length + 1 steps; decode at most max_length tokens.",
                _decode_variant(*args, steps=max_length + 1),
            ),
            (
                "off by one: you decoded max_length - 1 steps; decode at most max_length tokens.",
                _decode_variant(*args, steps=max_length - 1),
            ),
            (
                "your tokens are stacked time-major, (time, batch); stack along axis 1 to get "
                "(batch, time).",
                right.T,
            ),
            (
                "you stop as soon as ONE row has produced end_token (any); the loop must go on "
                "until EVERY row has ended (all), padding the ended rows with end_token.",
                _decode_variant(*args, stop_any=True),
            ),
            (
                "the last step is missing: the row that ends last has no end_token. Append the "
                "step's tokens before you break out of the loop.",
                _decode_variant(*args, drop_last=True),
            ),
            (
                "you stop as soon as ONE row has produced end_token (any); the loop must go on "
                "until EVERY row has ended (all), padding the ended rows with end_token.",
                _decode_variant(*args, stop_any=True, drop_last=True),
            ),
        ]
        compare_arrays(value, right, mistakes, what="the decoded tokens")
        _require_integers(value, "the decoded tokens")
