"""Learner answers for lesson 07's exercises (contract 3 of the corpus harness).

RIGHT answers must pass on every draw, WRONG ones must fail with a message that
contains the given substring.
"""

from __future__ import annotations

import math

import numpy as np

# --------------------------------------------------------------------------- make_decoder_inputs


def inputs_concatenate(targets, start_token):
    start = np.full((targets.shape[0], 1), start_token, dtype=targets.dtype)
    return np.concatenate([start, targets[:, :-1]], axis=1)


def inputs_float32(targets, start_token):
    as_float = np.asarray(targets, dtype=np.float32)
    shifted = np.concatenate(
        [np.full((len(as_float), 1), start_token, np.float32), as_float[:, :-1]], axis=1
    )
    return shifted.astype(targets.dtype)


def inputs_two_slices(targets, start_token):
    shifted = np.empty_like(targets)
    shifted[:, 0] = start_token
    shifted[:, 1:] = targets[:, :-1]
    return shifted


def inputs_roll_copy(targets, start_token):
    shifted = np.roll(targets, 1, axis=1)  # a new array: targets stay as they are
    shifted[:, 0] = start_token
    return shifted


def inputs_pad(targets, start_token):
    return np.pad(targets, ((0, 0), (1, 0)), constant_values=start_token)[:, :-1]


def inputs_keras_ops(targets, start_token):
    from keras import ops

    start = ops.full((targets.shape[0], 1), start_token, dtype=str(targets.dtype))
    return np.asarray(ops.concatenate([start, ops.convert_to_tensor(targets[:, :-1])], axis=1))


def inputs_loop(targets, start_token):
    rows = [[start_token] + list(row[:-1]) for row in targets.tolist()]
    return np.array(rows, dtype=np.int64).reshape(targets.shape)


def inputs_shift_in_place(targets, start_token):
    targets[:, 1:] = targets[:, :-1].copy()  # overwrites the targets the loss needs
    targets[:, 0] = start_token
    return targets


def inputs_not_shifted(targets, start_token):
    return targets.copy()


def inputs_overwrite_first(targets, start_token):
    shifted = targets.copy()
    shifted[:, 0] = start_token
    return shifted


def inputs_shift_left(targets, start_token):
    start = np.full((targets.shape[0], 1), start_token)
    return np.concatenate([targets[:, 1:], start], axis=1)


def inputs_roll_left(targets, start_token):
    return np.roll(targets, -1, axis=1)


def inputs_roll_no_start(targets, start_token):
    return np.roll(targets, 1, axis=1)


def inputs_zero_start(targets, start_token):
    return np.concatenate([np.zeros((len(targets), 1), targets.dtype), targets[:, :-1]], axis=1)


def inputs_repeat_first(targets, start_token):
    return np.concatenate([targets[:, :1], targets[:, :-1]], axis=1)


def inputs_keep_last(targets, start_token):
    return np.concatenate([np.full((len(targets), 1), start_token), targets], axis=1)


def inputs_start_at_end(targets, start_token):
    return np.concatenate([targets[:, :-1], np.full((len(targets), 1), start_token)], axis=1)


def inputs_batch_axis(targets, start_token):
    return np.concatenate([np.full((1, targets.shape[1]), start_token), targets[:-1]], axis=0)


def inputs_float_dtype(targets, start_token):
    shifted = np.zeros(targets.shape)  # float64 by default
    shifted[:, 0] = start_token
    shifted[:, 1:] = targets[:, :-1]
    return shifted


def inputs_no_return(targets, start_token):
    np.concatenate([np.full((len(targets), 1), start_token), targets[:, :-1]], axis=1)


# --------------------------------------------------------------------------- schedules


def schedule_numpy(i, schedule, k, c, epsilon):
    i = np.asarray(i, dtype=np.float64)
    if schedule == "linear":
        return np.maximum(epsilon, k - c * i)
    if schedule == "exponential":
        return np.power(k, i)
    return k / (k + np.exp(i / k))


def schedule_float32(i, schedule, k, c, epsilon):
    i = np.asarray(i, dtype=np.float32)
    k, c, epsilon = np.float32(k), np.float32(c), np.float32(epsilon)
    if schedule == "linear":
        return np.maximum(epsilon, k - c * i)
    if schedule == "exponential":
        return np.exp(i * np.log(k))
    return k / (k + np.exp(i / k))


def schedule_loop(i, schedule, k, c, epsilon):
    values = []
    for step in np.asarray(i).reshape(-1).tolist():
        if schedule == "linear":
            values.append(max(epsilon, k - c * step))
        elif schedule == "exponential":
            values.append(k**step)
        else:
            values.append(k / (k + math.exp(step / k)))
    return np.array(values).reshape(np.shape(i))


def schedule_in_place(i, schedule, k, c, epsilon):
    out = np.array(i, dtype=np.float64)  # one buffer, reused for every operation
    if schedule == "linear":
        out *= -c
        out += k
        return np.maximum(out, epsilon, out=out)
    if schedule == "exponential":
        return np.power(k, out, out=out)
    out /= k
    np.exp(out, out=out)
    out += k
    return np.divide(k, out, out=out)


def schedule_keras_ops(i, schedule, k, c, epsilon):
    from keras import ops

    steps = ops.convert_to_tensor(np.asarray(i, dtype=np.float32))
    if schedule == "linear":
        value = ops.maximum(epsilon, k - c * steps)
    elif schedule == "exponential":
        value = ops.power(k, steps)
    else:
        value = k / (k + ops.exp(steps / k))
    return np.asarray(value)


def _schedule_with(name, formula, i, schedule, k, c, epsilon):
    """The right schedules, with the one named `name` replaced by `formula`."""
    i = np.asarray(i, dtype=np.float64)
    with np.errstate(over="ignore"):
        if schedule == name:
            return formula(i, k, c, epsilon)
        return schedule_numpy(i, schedule, k, c, epsilon)


def schedule_exp_i(i, schedule, k, c, epsilon):
    return _schedule_with(
        "inverse_sigmoid", lambda i, k, c, e: k / (k + np.exp(i)), i, schedule, k, c, epsilon
    )


def schedule_sampling_inverse(i, schedule, k, c, epsilon):
    return _schedule_with(
        "inverse_sigmoid",
        lambda i, k, c, e: 1 - k / (k + np.exp(i / k)),
        i,
        schedule,
        k,
        c,
        epsilon,
    )


def schedule_sign(i, schedule, k, c, epsilon):
    return _schedule_with(
        "inverse_sigmoid", lambda i, k, c, e: k / (k + np.exp(-i / k)), i, schedule, k, c, epsilon
    )


def schedule_numerator(i, schedule, k, c, epsilon):
    return _schedule_with(
        "inverse_sigmoid", lambda i, k, c, e: 1 / (k + np.exp(i / k)), i, schedule, k, c, epsilon
    )


def schedule_denominator(i, schedule, k, c, epsilon):
    return _schedule_with(
        "inverse_sigmoid", lambda i, k, c, e: k / (1 + np.exp(i / k)), i, schedule, k, c, epsilon
    )


def schedule_sampling_exponential(i, schedule, k, c, epsilon):
    return _schedule_with("exponential", lambda i, k, c, e: 1 - k**i, i, schedule, k, c, epsilon)


def schedule_exp_minus_k_i(i, schedule, k, c, epsilon):
    return _schedule_with(
        "exponential", lambda i, k, c, e: np.exp(-k * i), i, schedule, k, c, epsilon
    )


def schedule_k_minus_i(i, schedule, k, c, epsilon):
    return _schedule_with(
        "exponential", lambda i, k, c, e: np.power(k, -i), i, schedule, k, c, epsilon
    )


def schedule_k_times_i(i, schedule, k, c, epsilon):
    return _schedule_with("exponential", lambda i, k, c, e: k * i, i, schedule, k, c, epsilon)


def schedule_no_floor(i, schedule, k, c, epsilon):
    return _schedule_with("linear", lambda i, k, c, e: k - c * i, i, schedule, k, c, epsilon)


def schedule_floor_zero(i, schedule, k, c, epsilon):
    return _schedule_with(
        "linear", lambda i, k, c, e: np.maximum(0, k - c * i), i, schedule, k, c, epsilon
    )


def schedule_min(i, schedule, k, c, epsilon):
    return _schedule_with(
        "linear", lambda i, k, c, e: np.minimum(e, k - c * i), i, schedule, k, c, epsilon
    )


def schedule_sampling_linear(i, schedule, k, c, epsilon):
    return _schedule_with(
        "linear", lambda i, k, c, e: 1 - np.maximum(e, k - c * i), i, schedule, k, c, epsilon
    )


def schedule_slope_sign(i, schedule, k, c, epsilon):
    return _schedule_with(
        "linear", lambda i, k, c, e: np.maximum(e, k + c * i), i, schedule, k, c, epsilon
    )


def schedule_starts_at_one(i, schedule, k, c, epsilon):
    return _schedule_with(
        "linear", lambda i, k, c, e: np.maximum(e, 1 - c * i), i, schedule, k, c, epsilon
    )


def schedule_scalar(i, schedule, k, c, epsilon):
    return 0.5


# --------------------------------------------------------------------------- greedy decoding


def _greedy(
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
    extra_steps=0,
    time_major=False,
    stop_any=False,
    drop_last=False,
):
    states = list(initial_states)
    batch = np.shape(states[0])[0]
    tokens = np.full(batch, start_token)
    finished = np.zeros(batch, dtype=bool)
    outputs = [tokens] if keep_start else []
    for _ in range(max_length + extra_steps):
        fed = tokens if feed_back else np.full(batch, start_token)
        scores, states = step(fed, states)
        chosen = np.argmax(scores, axis=-1)
        tokens = np.where(finished, end_token, chosen) if pad else chosen
        finished = finished | (tokens == end_token)
        done = finished.any() if stop_any else finished.all()
        if drop_last and stop and done:
            break
        outputs.append(tokens)
        if stop and done:
            break
    return np.stack(outputs, axis=0 if time_major else 1)


def greedy_reference_style(step, initial_states, start_token, end_token, max_length):
    return _greedy(step, initial_states, start_token, end_token, max_length)


def greedy_float32_scores(step, initial_states, start_token, end_token, max_length):
    states = list(initial_states)
    batch = len(states[0])
    tokens = np.full(batch, start_token, dtype=np.int32)
    finished = np.zeros(batch, dtype=bool)
    outputs = []
    for _ in range(max_length):
        scores, states = step(tokens, states)
        chosen = np.argmax(np.asarray(scores, dtype=np.float32), axis=1).astype(np.int32)
        tokens = np.where(finished, np.int32(end_token), chosen)
        outputs.append(tokens)
        finished |= tokens == end_token
        if finished.all():
            break
    return np.stack(outputs, axis=1)


def greedy_preallocated(step, initial_states, start_token, end_token, max_length):
    states = initial_states  # the list given, updated in place
    batch = np.shape(states[0])[0]
    out = np.full((batch, max_length), end_token, dtype=np.int64)
    previous = np.full(batch, start_token, dtype=np.int64)
    alive = np.ones(batch, dtype=bool)
    used = 0
    while used < max_length and alive.any():
        scores, new_states = step(previous, states)
        states[:] = new_states
        previous = np.asarray(scores).argmax(axis=1)
        out[alive, used] = previous[alive]
        alive &= previous != end_token
        used += 1
    return out[:, :used]


def greedy_keras_ops(step, initial_states, start_token, end_token, max_length):
    from keras import ops

    states = list(initial_states)
    batch = int(np.shape(states[0])[0])
    tokens = np.full(batch, start_token)
    ended = np.zeros(batch, dtype=bool)
    columns = []
    for _ in range(max_length):
        scores, states = step(tokens, states)
        chosen = np.asarray(ops.argmax(ops.convert_to_tensor(scores), axis=-1))
        tokens = np.where(ended, end_token, chosen).astype(np.int64)
        columns.append(tokens)
        ended = np.logical_or(ended, tokens == end_token)
        if bool(np.all(ended)):
            break
    return np.asarray(ops.stack(columns, axis=1))


def greedy_per_row_lists(step, initial_states, start_token, end_token, max_length):
    states = list(initial_states)
    batch = np.shape(states[0])[0]
    rows = [[] for _ in range(batch)]
    tokens = [start_token] * batch
    for _ in range(max_length):
        scores, states = step(np.array(tokens), states)
        for b in range(batch):
            ended = bool(rows[b]) and rows[b][-1] == end_token
            tokens[b] = end_token if ended else int(np.argmax(scores[b]))
            rows[b].append(tokens[b])
        if all(row[-1] == end_token for row in rows):
            break
    return np.array(rows)


def greedy_no_feedback(*args):
    return _greedy(*args, feed_back=False)


def greedy_never_stops(*args):
    return _greedy(*args, pad=False, stop=False)


def greedy_no_padding(*args):
    return _greedy(*args, pad=False)


def greedy_no_early_break(*args):
    return _greedy(*args, stop=False)


def greedy_keeps_start(*args):
    return _greedy(*args, keep_start=True)


def greedy_keeps_start_max_length(*args):
    return _greedy(*args, keep_start=True, extra_steps=-1)


def greedy_one_too_many(*args):
    return _greedy(*args, extra_steps=1)


def greedy_one_too_few(*args):
    return _greedy(*args, extra_steps=-1)


def greedy_time_major(*args):
    return _greedy(*args, time_major=True)


def greedy_stops_at_any(*args):
    return _greedy(*args, stop_any=True)


def greedy_drops_last_end(*args):
    return _greedy(*args, drop_last=True)


def greedy_float_array(*args):
    return _greedy(*args).astype(np.float64)


RIGHT = {
    "make_decoder_inputs": [
        inputs_concatenate,
        inputs_float32,
        inputs_two_slices,
        inputs_roll_copy,
        inputs_pad,
        inputs_keras_ops,
        inputs_loop,
    ],
    "teacher_forcing_schedule": [
        schedule_numpy,
        schedule_float32,
        schedule_loop,
        schedule_in_place,
        schedule_keras_ops,
    ],
    "greedy_decoder": [
        greedy_reference_style,
        greedy_float32_scores,
        greedy_preallocated,
        greedy_keras_ops,
        greedy_per_row_lists,
    ],
}

WRONG = {
    "make_decoder_inputs": [
        (inputs_shift_in_place, "in place"),
        (inputs_not_shifted, "equals the targets"),
        (inputs_overwrite_first, "over the first target"),
        (inputs_shift_left, "shifted left"),
        (inputs_roll_left, "shifted left"),
        (inputs_roll_no_start, "start token is missing"),
        (inputs_zero_start, "start token is missing"),
        (inputs_repeat_first, "repeats y_1"),
        (inputs_keep_last, "drop the LAST"),
        (inputs_start_at_end, "at the end"),
        (inputs_batch_axis, "batch axis"),
        (inputs_float_dtype, "integer array"),
        (inputs_no_return, "forget the `return`"),
    ],
    "teacher_forcing_schedule": [
        (schedule_exp_i, "exp(i) where the schedule has exp(i / k)"),
        (schedule_sampling_inverse, "probability of SAMPLING"),
        (schedule_sign, "sign in the exponent"),
        (schedule_numerator, "numerator should be k"),
        (schedule_denominator, "denominator should be k + exp"),
        (schedule_sampling_exponential, "probability of SAMPLING"),
        (schedule_exp_minus_k_i, "exp(-k i)"),
        (schedule_k_minus_i, "k ** -i"),
        (schedule_k_times_i, "k * i"),
        (schedule_no_floor, "not clipped at the floor"),
        (schedule_floor_zero, "clipped at 0 instead of at epsilon"),
        (schedule_min, "used min"),
        (schedule_sampling_linear, "probability of SAMPLING"),
        (schedule_slope_sign, "wrong sign"),
        (schedule_starts_at_one, "started at 1 instead of k"),
        (schedule_scalar, "shape"),
    ],
    "greedy_decoder": [
        (greedy_no_feedback, "do not feed back the chosen token"),
        (greedy_never_stops, "do not stop at END"),
        (greedy_no_padding, "rows that have ended go on"),
        (greedy_no_early_break, "do not stop the loop"),
        (greedy_keeps_start, "starts with the start token"),
        (greedy_keeps_start_max_length, "starts with the start token"),
        (greedy_one_too_many, "max_length + 1"),
        (greedy_one_too_few, "max_length - 1"),
        (greedy_time_major, "time-major"),
        (greedy_stops_at_any, "EVERY row has ended"),
        (greedy_drops_last_end, "the last step is missing"),
        (greedy_float_array, "integer array"),
    ],
}
