"""Shared behaviour of rnncourse.data: seeding, no global random state, fast import."""

from __future__ import annotations

import doctest
import importlib
import random
import subprocess
import sys

import numpy as np
import pytest

import rnncourse.data as data
from rnncourse.data._random import as_generator, derived_generator

MODULES = ["_random", "temporal_order", "echo", "adding", "prefix_sums", "sequence_tasks",
           "dates", "tagging", "text"]


def test_as_generator_from_int_is_reproducible():
    assert as_generator(5).integers(1000, size=5).tolist() == \
        as_generator(5).integers(1000, size=5).tolist()


def test_as_generator_passes_a_generator_through():
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng


@pytest.mark.parametrize("bad", [None, -1, 1.5, "3", True])
def test_as_generator_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        as_generator(bad)


def test_derived_generator_depends_on_every_key():
    draws = {derived_generator(1, e, i).integers(1 << 30) for e in range(3) for i in range(3)}
    assert len(draws) == 9
    assert derived_generator(1, 2, 3).random() == derived_generator(1, 2, 3).random()
    with pytest.raises(ValueError, match="non-negative"):
        derived_generator(1, -2)


def _call_every_generator(seed):
    data.generate_temporal_order(5, "normal", seed=seed)
    data.generate_echo(2, 4, 3, 5, seed=seed)
    data.generate_adding(5, 10, seed=seed)
    data.generate_prefix_sums(5, 10, seed=seed)
    data.generate_sequence_task(5, "sort", seed=seed)
    data.generate_dates(5, seed=seed)
    data.TaggingTask().generate(5, seed=seed)


def test_no_global_random_state_is_used():
    np.random.seed(123)  # noqa: NPY002 (the point: the global state must stay as it is)
    random.seed(123)
    numpy_state = np.random.get_state()  # noqa: NPY002
    python_state = random.getstate()
    _call_every_generator(0)
    _call_every_generator(np.random.default_rng(1))
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(numpy_state, after, strict=True))
    assert random.getstate() == python_state


@pytest.mark.parametrize("module", ["", *MODULES])
def test_docstring_examples(module):
    mod = importlib.import_module(f"rnncourse.data.{module}".rstrip("."))
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_import_does_not_load_tensorflow_or_keras():
    code = ("import sys, rnncourse.data as d; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules; "
            "assert 'temporal_order_dataset' in dir(d)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        data.no_such_thing  # noqa: B018


def test_public_names_exist():
    eager = [name for name in data.__all__ if name not in data._LAZY]
    for name in eager:
        assert hasattr(data, name), name
