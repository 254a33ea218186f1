"""Learner answers for lesson 10 (forecasting): right ones written differently, typical wrong
ones."""

import numpy as np

# ---------------------------------------------------------------- make_windows


def windows_comprehension(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    inputs = np.stack([series[i : i + window] for i in range(n)])
    targets = np.stack([series[i + window : i + window + horizon] for i in range(n)])
    return inputs, targets


def windows_fancy_index(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    return series[rows + np.arange(window)], series[rows + window + np.arange(horizon)]


def windows_float32_strided(series, window, horizon=1):
    views = np.lib.stride_tricks.sliding_window_view(series.astype(np.float32), window + horizon)
    return views[:, :window], views[:, window:]


def windows_loop(series, window, horizon=1):
    inputs, targets = [], []
    for start in range(len(series)):
        end = start + window
        if end + horizon > len(series):
            break
        inputs.append(list(series[start:end]))
        targets.append(list(series[end : end + horizon]))
    return np.array(inputs), np.array(targets)


def windows_keras(series, window, horizon=1):
    import keras

    n = len(series) - window - horizon + 1
    dataset = keras.utils.timeseries_dataset_from_array(
        series[:n + window - 1], None, sequence_length=window, batch_size=1000
    )
    inputs = np.concatenate([np.asarray(batch) for batch in dataset])
    rows = np.arange(n)[:, None]
    return inputs, series[rows + window + np.arange(horizon)]


def windows_leak(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    return series[rows + np.arange(window)], series[rows + window - 1 + np.arange(horizon)]


def windows_late(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    index = np.minimum(rows + window + 1 + np.arange(horizon), len(series) - 1)  # clipped
    return series[rows + np.arange(window)], series[index]


def windows_late_loop(series, window, horizon=1):
    inputs, targets = [], []
    for i in range(len(series) - window - horizon):  # where the late targets run out
        inputs.append(series[i : i + window])
        targets.append(series[i + window + 1 : i + window + 1 + horizon])
    return np.array(inputs).reshape(-1, window), np.array(targets).reshape(-1, horizon)


def windows_reversed(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return inputs[:, ::-1], targets


def windows_swapped(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return targets, inputs


def windows_int_dtype(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    inputs, targets = np.zeros((n, window), dtype=int), np.zeros((n, horizon), dtype=int)
    for i in range(n):
        inputs[i] = series[i : i + window]
        targets[i] = series[i + window : i + window + horizon]
    return inputs, targets


def windows_three_items(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return inputs, targets, len(inputs)


def windows_rounded(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return np.round(inputs, 2), np.round(targets, 2)


def windows_float16(series, window, horizon=1):
    return windows_float32_strided(series.astype(np.float16), window, horizon)


def windows_centred_in_place(series, window, horizon=1):
    mean = series.mean()
    series -= mean
    inputs, targets = windows_fancy_index(series, window, horizon)
    return inputs + mean, targets + mean


def windows_flat_targets(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return inputs, targets[:, 0] if horizon == 1 else targets.ravel()


def windows_one_too_few(series, window, horizon=1):
    n = len(series) - window - horizon
    rows = np.arange(n)[:, None]
    return series[rows + np.arange(window)], series[rows + window + np.arange(horizon)]


def windows_transposed(series, window, horizon=1):
    inputs, targets = windows_fancy_index(series, window, horizon)
    return inputs.T, targets.T


def windows_long_inputs(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    index = np.minimum(rows + np.arange(window + 1), len(series) - 1)
    return series[index], series[rows + window + np.arange(horizon)]


def windows_inputs_only(series, window, horizon=1):
    return windows_fancy_index(series, window, horizon)[0]


# ---------------------------------------------------------------- seasonal_naive_forecast


def seasonal_modulo(history, period, horizon):
    last_season = history[len(history) - period :]
    return np.array([last_season[k % period] for k in range(horizon)])


def seasonal_tile(history, period, horizon):
    repeats = -(-horizon // period)
    return np.tile(history[-period:], repeats)[:horizon]


def seasonal_float32_take(history, period, horizon):
    return np.take(history.astype(np.float32), len(history) - period + np.arange(horizon) % period)


def seasonal_loop_in_place(history, period, horizon):
    forecast = []
    for _ in range(horizon):
        value = history[len(history) - period]
        forecast.append(value)
        history = np.append(history, value)  # the forecast becomes history
    return np.array(forecast)


def seasonal_naive(history, period, horizon):
    return np.full(horizon, history[-1])


def seasonal_constant(history, period, horizon):
    return np.full(horizon, history[-period])


def seasonal_no_cycle(history, period, horizon):
    return history[-period:][:horizon]


def seasonal_from_start(history, period, horizon):
    return history[np.arange(horizon) % period]


def seasonal_early(history, period, horizon):
    return history[len(history) - period - 1 + np.arange(horizon) % period]


def seasonal_late(history, period, horizon):
    index = len(history) - period + 1 + np.arange(horizon) % period
    return history[index % len(history)]  # wraps to the start past the end


def seasonal_no_cycle_negative(history, period, horizon):
    return np.array([history[-period + k] for k in range(horizon)])


def seasonal_number_for_one_step(history, period, horizon):
    forecast = seasonal_tile(history, period, horizon)
    return forecast[0] if horizon == 1 else forecast


def seasonal_int_dtype(history, period, horizon):
    forecast = np.zeros(horizon, dtype=int)
    for k in range(horizon):
        forecast[k] = history[len(history) - period + k % period]
    return forecast


def seasonal_scaled(history, period, horizon):
    return seasonal_tile(history, period, horizon) * 1.002


def seasonal_drift(history, period, horizon):
    return seasonal_tile(history, period, horizon) + 0.01


def seasonal_centred_in_place(history, period, horizon):
    mean = history.mean()
    history -= mean
    return seasonal_tile(history, period, horizon) + mean


def seasonal_mean(history, period, horizon):
    return np.full(horizon, history[-period:].mean())


# ---------------------------------------------------------------- seq2seq_targets


def seq2seq_comprehension(series, window, horizon):
    n = len(series) - window - horizon + 1
    return np.array(
        [[series[i + t + 1 : i + t + 1 + horizon] for t in range(window)] for i in range(n)]
    )


def seq2seq_broadcast_index(series, window, horizon):
    n = len(series) - window - horizon + 1
    index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon) + 1
    return series.astype(np.float32)[index]


def seq2seq_loop(series, window, horizon):
    n = len(series) - window - horizon + 1
    targets = np.zeros((n, window, horizon))
    for i in range(n):
        for t in range(window):
            for k in range(horizon):
                targets[i, t, k] = series[i + t + 1 + k]
    return targets


def seq2seq_stack_shifts(series, window, horizon):
    n = len(series) - window - horizon + 1
    shifted = [series[1 + k : 1 + k + n + window - 1] for k in range(horizon)]  # (horizon, .)
    columns = np.stack(shifted, axis=-1)  # (n + window - 1, horizon)
    return np.stack([columns[i : i + window] for i in range(n)])


def seq2seq_leak(series, window, horizon):
    n = len(series) - window - horizon + 1
    index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon)
    return series[index]


def seq2seq_late(series, window, horizon):
    n = len(series) - window - horizon + 1
    index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon) + 2
    return series[np.minimum(index, len(series) - 1)]


def seq2seq_plus_1e3(series, window, horizon):
    return seq2seq_comprehension(series, window, horizon) + 1e-3


def seq2seq_float16(series, window, horizon):
    return seq2seq_comprehension(series.astype(np.float16), window, horizon)


def seq2seq_int_dtype(series, window, horizon):
    return seq2seq_comprehension(series, window, horizon).astype(np.int64)


def seq2seq_normalised_in_place(series, window, horizon):
    scale = series.std()
    series /= scale
    return seq2seq_comprehension(series, window, horizon) * scale


def seq2seq_last_only(series, window, horizon):
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    return series[rows + window + np.arange(horizon)]


def seq2seq_repeated_last(series, window, horizon):
    last = seq2seq_last_only(series, window, horizon)
    return np.repeat(last[:, None, :], window, axis=1)


def seq2seq_swapped(series, window, horizon):
    return np.swapaxes(seq2seq_comprehension(series, window, horizon), 1, 2)


def seq2seq_one_too_few(series, window, horizon):
    return seq2seq_comprehension(series, window, horizon)[:-1]


RIGHT = {
    "make_windows": [
        windows_comprehension,
        windows_fancy_index,
        windows_float32_strided,
        windows_loop,
        windows_keras,
    ],
    "seasonal_naive_forecast": [
        seasonal_modulo,
        seasonal_tile,
        seasonal_float32_take,
        seasonal_loop_in_place,
    ],
    "seq2seq_targets": [
        seq2seq_comprehension,
        seq2seq_broadcast_index,
        seq2seq_loop,
        seq2seq_stack_shifts,
    ],
}

WRONG = {
    "make_windows": [
        (windows_leak, "leaks into its own input"),
        (windows_flat_targets, "keep the horizon axis"),
        (windows_one_too_few, "one window too few"),
        (windows_transposed, "transposed"),
        (windows_long_inputs, "columns"),
        (windows_inputs_only, "return two arrays"),
        (windows_late, "one step late"),
        (windows_late_loop, "one step late"),
        (windows_swapped, "(targets, inputs)"),
        (windows_reversed, "windows are reversed"),
        (windows_int_dtype, "your values are integers"),
        (windows_three_items, "you returned 3 items"),
        (windows_rounded, "values are changed"),
        (windows_float16, "values are changed"),
        (windows_centred_in_place, "modified `series` in place"),
    ],
    "seasonal_naive_forecast": [
        (seasonal_naive, "naive forecast"),
        (seasonal_constant, "its own season"),
        (seasonal_no_cycle, "stops after one period"),
        (seasonal_from_start, "from the start"),
        (seasonal_early, "one step early"),
        (seasonal_mean, "wrong values"),
        (seasonal_late, "one step late"),
        (seasonal_no_cycle_negative, "without cycling"),
        (seasonal_number_for_one_step, "shape (1,)"),
        (seasonal_int_dtype, "your values are integers"),
        (seasonal_scaled, "values are changed"),
        (seasonal_drift, "values are changed"),
        (seasonal_centred_in_place, "modified `history` in place"),
    ],
    "seq2seq_targets": [
        (seq2seq_leak, "input t itself"),
        (seq2seq_last_only, "last step only"),
        (seq2seq_repeated_last, "holds the targets of the last step"),
        (seq2seq_swapped, "swapped"),
        (seq2seq_one_too_few, "one window too few"),
        (seq2seq_late, "one step late"),
        (seq2seq_plus_1e3, "values are changed"),
        (seq2seq_float16, "values are changed"),
        (seq2seq_int_dtype, "your values are integers"),
        (seq2seq_normalised_in_place, "modified `series` in place"),
    ],
}

SEEDS = {"make_windows": 20}
