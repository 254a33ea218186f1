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
    ],
    "seasonal_naive_forecast": [
        (seasonal_naive, "naive forecast"),
        (seasonal_constant, "its own season"),
        (seasonal_no_cycle, "stops after one period"),
        (seasonal_from_start, "from the start"),
        (seasonal_early, "one step early"),
        (seasonal_mean, "wrong values"),
    ],
    "seq2seq_targets": [
        (seq2seq_leak, "input t itself"),
        (seq2seq_last_only, "last step only"),
        (seq2seq_repeated_last, "holds the targets of the last step"),
        (seq2seq_swapped, "swapped"),
        (seq2seq_one_too_few, "one window too few"),
    ],
}

SEEDS = {"make_windows": 20}
