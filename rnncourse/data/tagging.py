r"""A tagging task where some tags depend on the *next* word.

Sentences are sequences of ``length`` words. Most words always carry the same
tag (``the``/DET, ``fresh``/ADJ, ``people``/NOUN, ``eat``/VERB, ...). An
*ambiguous* word (``apple``, ``blackberry``, ``orange``) is tagged by the word
that follows it, like "Apple stores" vs "apple juice":

- followed by a business verb (``stores``, ``sells``, ``makes``, ``hires``:
  tagged VERB) it is a COMPANY;
- followed by a food word (``juice``, ``pie``, ``jam``, ``tree``: tagged NOUN)
  it is a FRUIT.

Generation, step by step: if the previous word was ambiguous, emit a context
word (business with probability ``company_probability`` = :math:`q`, food
otherwise); else, if this is not the last step, emit an ambiguous word with
probability ``ambiguous_rate`` = :math:`p`; else a plain word, uniformly.

**The left-to-right ceiling.** A model that sees only words up to step
:math:`t` knows every tag except at an ambiguous word, where the deciding word
is still to come and independent of the past: the best it can do there is
guess the likelier tag, right with probability :math:`\max(q, 1-q)`. With
:math:`a_t` the probability that step :math:`t` is ambiguous,

.. math::

    a_0 = p,\quad a_t = p\,(1 - a_{t-1}) \;(0 < t < T-1),\quad a_{T-1} = 0,

    \text{ceiling} = 1 - \min(q, 1-q)\,\frac{1}{T}\sum_t a_t .

For large T the ambiguous fraction tends to :math:`p / (1 + p)`; the defaults
(:math:`p = 0.3, q = 0.5`, T = 20) give a ceiling of about 0.89 per word. A
model that sees the whole sentence (bidirectional) can reach 100%: every tag is
a function of the word and the next word (:meth:`TaggingTask.full_context_tags`).

Example::

    >>> task = TaggingTask(length=8)
    >>> data = task.generate(2, seed=0)
    >>> data.tokens.shape, data.tags.shape, data.tokens.dtype
    ((2, 8), (2, 8), dtype('int32'))
    >>> print(task.describe(data.tokens[0], data.tags[0]))  # doctest: +SKIP
    the/DET apple/COMPANY sells/VERB fresh/ADJ ...
    >>> round(TaggingTask().causal_ceiling(), 3)
    0.889
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._checks import check_fraction, check_int
from ._random import SeedLike, as_generator

#: Tag names; id 0 is padding (never produced, kept so that masks can use 0).
TAGS = ("<pad>", "DET", "ADJ", "NOUN", "VERB", "FRUIT", "COMPANY")
_TAG = {name: i for i, name in enumerate(TAGS)}

#: (word, tag) for words whose tag never changes.
PLAIN_WORDS = (
    ("the", "DET"), ("a", "DET"), ("every", "DET"),
    ("fresh", "ADJ"), ("big", "ADJ"), ("red", "ADJ"), ("new", "ADJ"),
    ("people", "NOUN"), ("farmer", "NOUN"), ("market", "NOUN"), ("city", "NOUN"),
    ("eat", "VERB"), ("buy", "VERB"), ("like", "VERB"), ("see", "VERB"),
)
AMBIGUOUS_WORDS = ("apple", "blackberry", "orange")
COMPANY_CONTEXT = ("stores", "sells", "makes", "hires")  # tagged VERB
FRUIT_CONTEXT = ("juice", "pie", "jam", "tree")  # tagged NOUN

#: Word id 0 is padding; then plain, ambiguous, company-context, fruit-context words.
WORDS = ("<pad>", *(w for w, _ in PLAIN_WORDS), *AMBIGUOUS_WORDS, *COMPANY_CONTEXT,
         *FRUIT_CONTEXT)
_PLAIN_IDS = np.arange(1, 1 + len(PLAIN_WORDS))
_AMBIGUOUS_IDS = _PLAIN_IDS[-1] + 1 + np.arange(len(AMBIGUOUS_WORDS))
_COMPANY_IDS = _AMBIGUOUS_IDS[-1] + 1 + np.arange(len(COMPANY_CONTEXT))
_FRUIT_IDS = _COMPANY_IDS[-1] + 1 + np.arange(len(FRUIT_CONTEXT))

# Tag of every word on its own (ambiguous words: placeholder 0, resolved by the next word).
_WORD_TAG = np.zeros(len(WORDS), np.int32)
_WORD_TAG[_PLAIN_IDS] = [_TAG[tag] for _, tag in PLAIN_WORDS]
_WORD_TAG[_COMPANY_IDS] = _TAG["VERB"]
_WORD_TAG[_FRUIT_IDS] = _TAG["NOUN"]


class TaggingData(NamedTuple):
    """``tokens`` and ``tags``: (n, T) int32 ids into :data:`WORDS` and :data:`TAGS`."""

    tokens: np.ndarray
    tags: np.ndarray


@dataclass(frozen=True)
class TaggingTask:
    """The task's parameters: sentence ``length`` T >= 2, ``ambiguous_rate`` p in
    [0, 1] and ``company_probability`` q in [0, 1] (see the module docstring)."""

    length: int = 20
    ambiguous_rate: float = 0.3
    company_probability: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", check_int("length", self.length, minimum=2))
        object.__setattr__(self, "ambiguous_rate",
                           check_fraction("ambiguous_rate", self.ambiguous_rate))
        object.__setattr__(self, "company_probability",
                           check_fraction("company_probability", self.company_probability))

    words = WORDS
    tags = TAGS

    def ambiguous_probabilities(self) -> np.ndarray:
        """(T,) float64: a_t, the probability that step t holds an ambiguous word."""
        p, T = self.ambiguous_rate, self.length
        a = np.zeros(T)
        a[0] = p
        for t in range(1, T - 1):
            a[t] = p * (1.0 - a[t - 1])
        return a

    def ambiguous_fraction(self) -> float:
        """Expected fraction of words that are ambiguous, mean of a_t."""
        return float(self.ambiguous_probabilities().mean())

    def causal_ceiling(self) -> float:
        """Best expected per-word accuracy of a model that sees only words up to t."""
        q = self.company_probability
        return 1.0 - min(q, 1.0 - q) * self.ambiguous_fraction()

    def full_context_ceiling(self) -> float:
        """Best accuracy when the whole sentence is seen: 1, tags are determined."""
        return 1.0

    def generate(self, n: int, *, seed: SeedLike) -> TaggingData:
        """Draw ``n`` sentences (a loop over the T steps, vectorised over sentences)."""
        n = check_int("n", n, minimum=0)
        rng = as_generator(seed)
        T = self.length
        # all random numbers up front, then a cheap pass over time
        is_ambiguous_draw = rng.random((n, T)) < self.ambiguous_rate
        is_company_draw = rng.random((n, T)) < self.company_probability
        plain = rng.choice(_PLAIN_IDS, size=(n, T))
        ambiguous = rng.choice(_AMBIGUOUS_IDS, size=(n, T))
        company = rng.choice(_COMPANY_IDS, size=(n, T))
        fruit = rng.choice(_FRUIT_IDS, size=(n, T))

        tokens = np.zeros((n, T), np.int32)
        tags = np.zeros((n, T), np.int32)
        previous_ambiguous = np.zeros(n, bool)
        for t in range(T):
            context = previous_ambiguous
            start_ambiguous = ~context & is_ambiguous_draw[:, t] & (t < T - 1)
            tokens[:, t] = np.where(
                context, np.where(is_company_draw[:, t], company[:, t], fruit[:, t]),
                np.where(start_ambiguous, ambiguous[:, t], plain[:, t]))
            if t > 0:  # resolve the ambiguous word before this context word
                resolved = np.where(is_company_draw[:, t], _TAG["COMPANY"], _TAG["FRUIT"])
                tags[:, t - 1] = np.where(context, resolved, tags[:, t - 1])
            tags[:, t] = np.where(start_ambiguous, 0, _WORD_TAG[tokens[:, t]])
            previous_ambiguous = start_ambiguous
        return TaggingData(tokens, tags)

    def full_context_tags(self, tokens: np.ndarray) -> np.ndarray:
        """The correct tags computed from the words and their successors (100% right)."""
        tokens = _check_tokens(tokens)
        tags = _WORD_TAG[tokens]
        following = np.zeros_like(tokens)
        following[:, :-1] = tokens[:, 1:]
        ambiguous = np.isin(tokens, _AMBIGUOUS_IDS)
        company = np.isin(following, _COMPANY_IDS)
        resolved = np.where(company, _TAG["COMPANY"], _TAG["FRUIT"])
        return np.where(ambiguous, resolved, tags).astype(np.int32)

    def causal_optimal_tags(self, tokens: np.ndarray) -> np.ndarray:
        """The Bayes-optimal tags from words up to t only: at an ambiguous word, the
        likelier tag (COMPANY if q > 1/2, else FRUIT)."""
        tokens = _check_tokens(tokens)
        guess = _TAG["COMPANY"] if self.company_probability > 0.5 else _TAG["FRUIT"]
        return np.where(np.isin(tokens, _AMBIGUOUS_IDS), guess,
                        _WORD_TAG[tokens]).astype(np.int32)

    def describe(self, tokens: np.ndarray, tags: np.ndarray | None = None) -> str:
        """``"word/TAG word/TAG ..."`` for one sentence (just the words without tags)."""
        tokens = np.asarray(tokens).reshape(-1)
        if tags is None:
            return " ".join(WORDS[i] for i in tokens.tolist())
        tags = np.asarray(tags).reshape(-1)
        if tags.shape != tokens.shape:
            raise ValueError(f"tokens and tags differ in shape: {tokens.shape} vs {tags.shape}")
        return " ".join(f"{WORDS[w]}/{TAGS[g]}" for w, g in zip(tokens.tolist(), tags.tolist(),
                                                                 strict=True))


def _check_tokens(tokens: np.ndarray) -> np.ndarray:
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"tokens must be 2-D (n, T), got shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= len(WORDS)):
        raise ValueError(f"token ids must lie in 0..{len(WORDS) - 1}")
    return tokens
