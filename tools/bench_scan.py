"""Time the parallel scan against the step loop and keras.layers.GRU, by sequence length.

Run: ``.venv/bin/python tools/bench_scan.py [--lengths 256 512 ... --batch 16 --width 64]``.

For each length T (default 256, 512, ..., 8192), batch 16 and width 64, in one
process, inference only:

* ``scan``: ``rnncourse.layers.linear_recurrence(a, b, method="scan")``, the
  parallel prefix scan (the package's odd-even scan written with ``keras.ops``);
* ``keras scan``: the same with ``method="keras_scan"``
  (``keras.ops.associative_scan``; left out with ``--jit``, where it does not
  compile, and on Keras < 3.14, where it fails in a ``tf.function``);
* ``loop``: the same recurrence with ``method="loop"`` (``keras.ops.scan``, a
  ``tf.while_loop``);
* ``MinGRU``: the layer on inputs x (batch, T, width): its projection plus the
  scan;
* ``GRU``: ``keras.layers.GRU(width, return_sequences=True)`` on the same x.

Every function is wrapped in one ``tf.function`` (a TensorFlow graph, no XLA:
``--jit`` turns on ``jit_compile=True`` for all of them), called once to trace
and warm up, then timed as the median of ``--repeats`` calls, all
alternating. Each row gives wall-clock and CPU time (``time.process_time``, all
threads of the process); on a loaded machine the CPU times are the steadier.
The ratios are what to compare: absolute times depend on the machine and on
its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402

from rnncourse.layers import MinGRU, linear_recurrence, min_rnn  # noqa: E402


def _time_call(function, args) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    np.asarray(function(*args))  # make sure the work is done
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+",
                        default=[256, 512, 1024, 2048, 4096, 8192])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--jit", action="store_true", help="compile with XLA (jit_compile=True)")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    gru = keras.layers.GRU(args.width, return_sequences=True)
    min_gru = MinGRU(args.width, return_sequences=True)
    gru.build((None, None, args.width))
    min_gru.build((None, None, args.width))

    def compile_(function):
        return tf.function(function, jit_compile=args.jit)

    functions = {
        "scan": compile_(lambda a, b, x: linear_recurrence(a, b, method="scan")),
        "keras scan": compile_(lambda a, b, x: linear_recurrence(a, b, method="keras_scan")),
        "loop": compile_(lambda a, b, x: linear_recurrence(a, b, method="loop")),
        "MinGRU": compile_(lambda a, b, x: min_gru(x)),
        "GRU": compile_(lambda a, b, x: gru(x)),
    }
    if args.jit or not min_rnn.KERAS_SCAN_WORKS:
        del functions["keras scan"]
    print(f"Keras {keras.__version__}, TensorFlow {tf.__version__}; "
          f"tf.function{' with XLA' if args.jit else ' (graph, no XLA)'}; "
          f"batch {args.batch}, width {args.width}; median of {args.repeats} calls after a "
          f"warm-up; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    names = list(functions)
    header = "".join(f"{name:>11}" for name in names)
    columns = "loop/scan  GRU/scan  GRU/MinGRU  keras scan/scan"
    print("Two rows per length: wall-clock ms and CPU ms (all threads), each with its ratios.")
    print(f"{'T':>6} {'':5}{header}   {columns}")
    for steps in args.lengths:
        shape = (args.batch, steps, args.width)
        a = tf.constant(rng.uniform(0.0, 1.0, size=shape).astype("float32"))
        b = tf.constant(rng.normal(size=shape).astype("float32"))
        x = tf.constant(rng.normal(size=shape).astype("float32"))
        reference = functions["loop"](a, b, x)  # also the warm-up of the loop
        for name, function in functions.items():
            out = function(a, b, x)  # warm-up: tracing
            if name in ("scan", "keras scan"):
                np.testing.assert_allclose(out, reference, rtol=1e-4, atol=1e-4)
        times = {name: [] for name in names}
        for _ in range(args.repeats):  # the functions alternate, so load hits all alike
            for name, function in functions.items():
                times[name].append(_time_call(function, (a, b, x)))
        for kind, label in ((0, "wall"), (1, "cpu")):
            ms = {name: 1000 * statistics.median(t[kind] for t in values)
                  for name, values in times.items()}
            row = "".join(f"{ms[name]:11.1f}" for name in names)
            print(f"{steps if kind == 0 else '':>6} {label:5}{row}   "
                  f"{ms['loop'] / ms['scan']:9.2f} {ms['GRU'] / ms['scan']:9.2f} "
                  f"{ms['GRU'] / ms['MinGRU']:11.2f} "
                  f"{ms['keras scan'] / ms['scan'] if 'keras scan' in ms else float('nan'):15.2f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
