"""Time the rnncourse.data generators.

Run with ``python tools/bench_data.py``. The main comparison: the vectorised
temporal-order generator against a straightforward per-sequence Python loop
that draws from the same distribution (level "hard", 10,000 sequences).
"""

from __future__ import annotations

import time

import numpy as np

from rnncourse.data import (
    CharVocabulary,
    EchoStream,
    TaggingTask,
    batch_stream,
    generate_adding,
    generate_dates,
    generate_prefix_sums,
    generate_sequence_task,
    generate_temporal_order,
    load_corpus,
)
from rnncourse.data.temporal_order import LEVELS, N_SYMBOLS, SYMBOLS


def temporal_order_loop(n: int, level: str, seed: int):
    """The same task, one sequence at a time, one symbol at a time (pre-padded).

    Written the way a first version (and the DLSP20 reference) does it: draw
    the symbols as a list, then one-hot code them in a loop.
    """
    rng = np.random.default_rng(seed)
    spec = LEVELS[level]
    T = spec.padded_length
    inputs = np.zeros((n, T, N_SYMBOLS), np.float32)
    labels = np.zeros(n, np.int64)
    for i in range(n):
        length = int(rng.integers(spec.length[0], spec.length[1] + 1))
        t1 = int(rng.integers(spec.t1[0], spec.t1[1] + 1))
        t2 = int(rng.integers(spec.t2[0], spec.t2[1] + 1))
        label = int(rng.integers(0, 4))
        sequence = ["B"] + [str(rng.choice(["a", "b", "c", "d"])) for _ in range(length - 2)]
        sequence.append("E")
        sequence[t1] = "XY"[label // 2]
        sequence[t2] = "XY"[label % 2]
        for step, symbol in enumerate(sequence):
            inputs[i, T - length + step, SYMBOLS.index(symbol)] = 1.0
        labels[i] = label
    return inputs, labels


def temporal_order_loop_numpy_inside(n: int, level: str, seed: int):
    """A tighter baseline: a Python loop over sequences, NumPy within each one."""
    rng = np.random.default_rng(seed)
    spec = LEVELS[level]
    T = spec.padded_length
    inputs = np.zeros((n, T, N_SYMBOLS), np.float32)
    labels = np.zeros(n, np.int64)
    for i in range(n):
        length = int(rng.integers(spec.length[0], spec.length[1] + 1))
        t1 = int(rng.integers(spec.t1[0], spec.t1[1] + 1))
        t2 = int(rng.integers(spec.t2[0], spec.t2[1] + 1))
        label = int(rng.integers(0, 4))
        symbols = rng.integers(2, 6, size=length)  # distractors a, b, c, d
        symbols[0], symbols[length - 1] = SYMBOLS.index("B"), SYMBOLS.index("E")
        symbols[t1] = SYMBOLS.index("XY"[label // 2])
        symbols[t2] = SYMBOLS.index("XY"[label % 2])
        inputs[i, np.arange(T - length, T), symbols] = 1.0
        labels[i] = label
    return inputs, labels


def best_time(function, repeats: int = 3) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = 10_000
    vectorised = best_time(lambda: generate_temporal_order(n, "hard", seed=0), repeats=5)
    loop = best_time(lambda: temporal_order_loop(n, "hard", seed=0), repeats=1)
    loop_numpy = best_time(lambda: temporal_order_loop_numpy_inside(n, "hard", seed=0))
    print(f"temporal order, level 'hard', {n:,} sequences (best time)")
    print(f"  vectorised:                  {vectorised:7.3f} s {n / vectorised:10,.0f} sequences/s")
    for name, seconds in (("loop, symbol by symbol:", loop),
                          ("loop, NumPy per sequence:", loop_numpy)):
        print(f"  {name:28s} {seconds:7.3f} s {n / seconds:10,.0f} sequences/s"
              f"  (vectorised is {seconds / vectorised:5.1f}x faster)")

    print("\nother generators (best of 3)")
    stream = load_corpus("tinyshakespeare")
    vocab = CharVocabulary.from_text(stream)
    ids = vocab.encode(stream)
    tagging = TaggingTask()
    cases = [
        ("temporal order 'nightmare', 1,000", 1_000,
         lambda: generate_temporal_order(1_000, "nightmare", seed=0)),
        ("echo, B=32 x 40,000 steps (bits)", 32 * 40_000,
         lambda: EchoStream(32, 20, 3, 2_000, seed=0)),
        ("adding, 10,000 x T=200", 10_000, lambda: generate_adding(10_000, 200, seed=0)),
        ("prefix sums, 10,000 x 100", 10_000,
         lambda: generate_prefix_sums(10_000, 100, 3, seed=0, one_hot=True)),
        ("sort, 10,000 x up to 20", 10_000,
         lambda: generate_sequence_task(10_000, "sort", min_len=1, max_len=20, seed=0)),
        ("dates, 10,000", 10_000, lambda: generate_dates(10_000, seed=0)),
        ("tagging, 10,000 x 20", 10_000, lambda: tagging.generate(10_000, seed=0)),
        ("encode tinyshakespeare (1.1M chars)", 1, lambda: vocab.encode(stream)),
        ("batch_stream, B=64, T=100", 1, lambda: batch_stream(ids, 64, 100)),
    ]
    for name, count, function in cases:
        seconds = best_time(function)
        rate = f"{count / seconds:12,.0f} items/s" if count > 1 else ""
        print(f"  {name:38s} {seconds * 1000:9.1f} ms  {rate}")


if __name__ == "__main__":
    main()
