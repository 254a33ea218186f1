"""Seeded, vectorised generators for the course's toy tasks (pure NumPy).

Every generator takes an explicit ``seed`` (an int, or a
:class:`numpy.random.Generator` to share one stream) and never touches NumPy's
or Python's global random state; bad arguments raise ValueError with a message
that says what is allowed. Importing this package does not import TensorFlow
or Keras: the ``keras.utils.PyDataset`` adapters live in
:mod:`rnncourse.data.adapters`, loaded on first use.

=====================  ===================================================
module                 task
=====================  ===================================================
``temporal_order``     X/Y markers among distractors, 4 classes, 5 levels
``echo``               a bit stream repeated k steps later, in TBPTT windows
``adding``             sum of the two marked values
``prefix_sums``        running sum modulo n
``sequence_tasks``     copy / reverse / sort of digit sequences
``dates``              human-written dates to ISO 8601
``tagging``            tags that depend on the next word (causal ceiling)
``text``               offline corpora, character vocabulary, stream batching
``series``             Mauna Loa CO2 (real data, via statsmodels), forecast windows
``adapters``           PyDataset adapters (imports Keras)
=====================  ===================================================

Example::

    >>> from rnncourse.data import generate_temporal_order
    >>> data = generate_temporal_order(32, "normal", seed=0)
    >>> data.inputs.shape
    (32, 40, 8)
"""

from __future__ import annotations

import importlib

from ._random import as_generator
from .adding import AddingData, generate_adding
from .dates import (
    DATE_FORMATS,
    FORMAT_NAMES,
    CharVocab,
    DatesData,
    date_vocab,
    format_date,
    generate_dates,
    max_source_length,
    random_dates,
)
from .echo import EchoStream, EchoWindow, border_crossing_fraction, echo_targets, generate_echo
from .prefix_sums import PrefixSumData, generate_prefix_sums, one_hot, prefix_sums_mod
from .sequence_tasks import (
    SequenceTaskData,
    decode_tokens,
    encode_tokens,
    generate_sequence_task,
    task_decoder_inputs,
)
from .series import (
    Series,
    fill_gaps,
    load_co2,
    make_windows,
    mean_absolute_error,
    seasonal_naive_forecast,
    seq2seq_targets,
)
from .tagging import TaggingData, TaggingTask
from .temporal_order import (
    CLASSES,
    LEVELS,
    SYMBOLS,
    TemporalOrderData,
    TemporalOrderLevel,
    decode_sequences,
    generate_temporal_order,
    get_level,
    padding_mask,
)
from .text import (
    CORPORA,
    CharVocabulary,
    StreamBatches,
    batch_stream,
    load_corpus,
    reassemble_stream,
    split_corpus,
)

_LAZY = {
    "adapters": None,
    "temporal_order_dataset": "adapters",
    "stream_windows_dataset": "adapters",
    "echo_dataset": "adapters",
    "reset_state_callback": "adapters",
}

__all__ = [
    "AddingData", "CLASSES", "CORPORA", "CharVocab", "CharVocabulary", "DATE_FORMATS",
    "DatesData", "EchoStream", "EchoWindow", "FORMAT_NAMES", "LEVELS", "PrefixSumData",
    "SYMBOLS", "SequenceTaskData", "StreamBatches", "TaggingData", "TaggingTask",
    "TemporalOrderData", "TemporalOrderLevel", "as_generator", "batch_stream",
    "border_crossing_fraction", "date_vocab", "decode_sequences", "decode_tokens",
    "task_decoder_inputs", "echo_targets", "encode_tokens", "format_date",
    "generate_adding", "generate_dates", "generate_echo", "generate_prefix_sums",
    "generate_sequence_task", "generate_temporal_order", "get_level", "load_corpus",
    "max_source_length", "one_hot", "padding_mask", "prefix_sums_mod", "random_dates",
    "reassemble_stream", "split_corpus", *_LAZY,
    "Series", "fill_gaps", "load_co2", "make_windows", "mean_absolute_error",
    "seasonal_naive_forecast", "seq2seq_targets",
]


def __getattr__(name: str):
    """Load :mod:`rnncourse.data.adapters` (and Keras) only when it is asked for."""
    if name in _LAZY:
        adapters = importlib.import_module(f"{__name__}.adapters")
        return adapters if _LAZY[name] is None else getattr(adapters, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
