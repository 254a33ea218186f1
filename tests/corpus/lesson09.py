"""Learner answers for lesson 09 (language modelling): right ones written differently, typical
wrong ones."""

import math

import numpy as np

LN2 = np.log(2.0)


# ---------------------------------------------------------------- loss_to_bits_per_char


def bits_numpy(losses):
    bits = float(np.mean(losses) / np.log(2))
    return bits, 2.0**bits


def bits_float32(losses):
    mean = np.asarray(losses, dtype=np.float32).mean()
    return float(mean / np.float32(LN2)), float(np.exp(mean))


def bits_in_place(losses):
    losses /= np.log(2)  # its own copy
    bits = losses.mean()
    return bits, 2**bits


def bits_loop(losses):
    total, count = 0.0, 0
    for value in np.ravel(losses):
        total += float(value)
        count += 1
    nats = total / count
    return nats / math.log(2), math.exp(nats)


def bits_as_array(losses):
    bits = np.log2(np.exp(np.mean(losses)))
    return np.array([bits, 2**bits])


def bits_nats(losses):
    return float(np.mean(losses)), float(2 ** np.mean(losses))


def bits_multiplied(losses):
    return float(np.mean(losses) * LN2), 1.0


def bits_log10(losses):
    return float(np.mean(losses) / np.log(10)), 1.0


def bits_sequence_sums(losses):
    return float(losses.sum(axis=1).mean() / LN2), 1.0


def bits_total(losses):
    return float(losses.sum() / LN2), 1.0


def bits_log2_of_loss(losses):
    return float(np.log2(losses.mean())), 1.0


def perplexity_2_nats(losses):
    return float(losses.mean() / LN2), float(2 ** losses.mean())


def perplexity_e_bits(losses):
    return float(losses.mean() / LN2), float(np.exp(losses.mean() / LN2))


def perplexity_inverse(losses):
    return float(losses.mean() / LN2), float(2 ** (-losses.mean() / LN2))


def perplexity_mean_of_exp(losses):
    return float(losses.mean() / LN2), float(np.exp(losses).mean())


def bits_only(losses):
    return float(losses.mean() / LN2)


def bits_dict(losses):
    return {"bits": float(losses.mean() / LN2), "perplexity": 2.0}


# ---------------------------------------------------------------- bigram_bits_per_char


def bigram_add_at(train_ids, test_ids, vocab_size):
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    p = (counts + 1) / (counts.sum(axis=1, keepdims=True) + vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_float32(train_ids, test_ids, vocab_size):
    counts = np.zeros((vocab_size, vocab_size), dtype=np.float32)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    p = (counts + 1) / (counts.sum(axis=1, keepdims=True) + vocab_size)
    return -np.log2(p[test_ids[:-1], test_ids[1:]]).mean()


def bigram_bincount(train_ids, test_ids, vocab_size):
    pairs = np.bincount(train_ids[:-1] * vocab_size + train_ids[1:], minlength=vocab_size**2)
    counts = pairs.reshape(vocab_size, vocab_size) + 1.0
    counts /= counts.sum(axis=1, keepdims=True)
    return np.mean(-np.log2(counts[test_ids[:-1], test_ids[1:]]))


def bigram_loop(train_ids, test_ids, vocab_size):
    counts = [[0] * vocab_size for _ in range(vocab_size)]
    for a, b in zip(train_ids[:-1], train_ids[1:]):
        counts[a][b] += 1
    total = 0.0
    for a, b in zip(test_ids[:-1], test_ids[1:]):
        total -= math.log2((counts[a][b] + 1) / (sum(counts[a]) + vocab_size))
    return total / (len(test_ids) - 1)


def bigram_in_place(train_ids, test_ids, vocab_size):
    first = test_ids[:-1].copy()
    test_ids[:-1] = first * vocab_size + test_ids[1:]  # its own copy: flat pair indices
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    p = ((counts + 1) / (counts.sum(axis=1, keepdims=True) + vocab_size)).ravel()
    return float(-np.log2(p[test_ids[:-1]]).mean())


def _pairs(ids, vocab_size):
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    return counts


def _smoothed(counts, vocab_size):
    return (counts + 1) / (counts.sum(axis=1, keepdims=True) + vocab_size)


def bigram_ln(train_ids, test_ids, vocab_size):
    p = _smoothed(_pairs(train_ids, vocab_size), vocab_size)
    return float(-np.log(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_no_v(train_ids, test_ids, vocab_size):
    counts = _pairs(train_ids, vocab_size)
    p = (counts + 1) / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_joint(train_ids, test_ids, vocab_size):
    counts = _pairs(train_ids, vocab_size)
    p = (counts + 1) / (counts.sum() + vocab_size**2)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_columns(train_ids, test_ids, vocab_size):
    counts = _pairs(train_ids, vocab_size)
    p = (counts + 1) / (counts.sum(axis=0, keepdims=True) + vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_swapped(train_ids, test_ids, vocab_size):
    p = _smoothed(_pairs(train_ids, vocab_size), vocab_size)
    return float(-np.log2(p[test_ids[1:], test_ids[:-1]]).mean())


def bigram_unigram(train_ids, test_ids, vocab_size):
    c = np.bincount(train_ids, minlength=vocab_size) + 1.0
    return float(-np.log2(c[test_ids[1:]] / c.sum()).mean())


def bigram_sum(train_ids, test_ids, vocab_size):
    p = _smoothed(_pairs(train_ids, vocab_size), vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).sum())


def bigram_divide_n(train_ids, test_ids, vocab_size):
    p = _smoothed(_pairs(train_ids, vocab_size), vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).sum() / len(test_ids))


def bigram_from_test(train_ids, test_ids, vocab_size):
    p = _smoothed(_pairs(test_ids, vocab_size), vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_every_occurrence(train_ids, test_ids, vocab_size):
    counts = _pairs(train_ids, vocab_size)
    occurrences = np.bincount(train_ids, minlength=vocab_size)[:, None]
    p = (counts + 1) / (occurrences + vocab_size)
    return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_unsmoothed(train_ids, test_ids, vocab_size):
    counts = _pairs(train_ids, vocab_size)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = counts / counts.sum(axis=1, keepdims=True)
        return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())


def bigram_tuple(train_ids, test_ids, vocab_size):
    return 1.0, 2.0


# ---------------------------------------------------------------- tempered_probabilities


def tempered_numpy(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def tempered_float32(logits, temperature):
    z = (logits / temperature).astype(np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def tempered_in_place(logits, temperature):
    logits /= temperature
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def tempered_log_sum_exp(logits, temperature):
    z = logits / temperature
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def tempered_keras_ops(logits, temperature):
    from rnncourse.environment import import_keras_quietly

    keras = import_keras_quietly()
    return keras.ops.convert_to_numpy(keras.ops.softmax(logits / temperature, axis=-1))


def tempered_loop(logits, temperature):
    out = np.empty_like(logits, dtype=float)
    for row in range(logits.shape[0]):
        z = [value / temperature for value in logits[row]]
        top = max(z)
        e = [math.exp(value - top) for value in z]
        out[row] = [value / sum(e) for value in e]
    return out


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def tempered_multiplied(logits, temperature):
    return _softmax(logits * temperature)


def tempered_ignored(logits, temperature):
    return _softmax(logits)


def tempered_power_not_renormalised(logits, temperature):
    return _softmax(logits) ** (1 / temperature)


def tempered_probabilities_over_t(logits, temperature):
    return _softmax(logits) / temperature


def tempered_axis0(logits, temperature):
    return _softmax(logits / temperature, axis=0)


def tempered_scaled_logits(logits, temperature):
    return logits / temperature


def tempered_log_probabilities(logits, temperature):
    return np.log(_softmax(logits / temperature))


def tempered_no_max(logits, temperature):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits / temperature)
        return e / e.sum(axis=-1, keepdims=True)


def tempered_global_max(logits, temperature):
    z = logits / temperature
    with np.errstate(invalid="ignore", under="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=-1, keepdims=True)


def tempered_transposed(logits, temperature):
    return _softmax(logits / temperature).T


RIGHT = {
    "loss_to_bits_per_char": [bits_numpy, bits_float32, bits_in_place, bits_loop, bits_as_array],
    "bigram_bits_per_char": [
        bigram_add_at,
        bigram_float32,
        bigram_bincount,
        bigram_loop,
        bigram_in_place,
    ],
    "tempered_probabilities": [
        tempered_numpy,
        tempered_float32,
        tempered_in_place,
        tempered_log_sum_exp,
        tempered_keras_ops,
        tempered_loop,
    ],
}

WRONG = {
    "loss_to_bits_per_char": [
        (bits_nats, "divide by ln 2"),
        (bits_multiplied, "multiplied by ln 2"),
        (bits_log10, "ln 10"),
        (bits_sequence_sums, "per-sequence"),
        (bits_total, "summed every loss"),
        (bits_log2_of_loss, "already a logarithm"),
        (perplexity_2_nats, "2 ** (nats)"),
        (perplexity_e_bits, "e ** bits"),
        (perplexity_inverse, "inverse"),
        (perplexity_mean_of_exp, "not the mean of the exponentials"),
        (bits_only, "two numbers"),
        (bits_dict, "not a dict"),
    ],
    "bigram_bits_per_char": [
        (bigram_ln, "natural log"),
        (bigram_no_v, "not V to the denominator"),
        (bigram_joint, "joint probability"),
        (bigram_columns, "columns"),
        (bigram_swapped, "P[next, previous]"),
        (bigram_unigram, "unigram"),
        (bigram_sum, "mean per character"),
        (bigram_divide_n, "len(test_ids) - 1"),
        (bigram_from_test, "train_ids only"),
        (bigram_every_occurrence, "no successor"),
        (bigram_unsmoothed, "add-one smoothing"),
        (bigram_tuple, "one number"),
    ],
    "tempered_probabilities": [
        (tempered_multiplied, "multiplied the logits by T"),
        (tempered_ignored, "no effect"),
        (tempered_power_not_renormalised, "renormalise"),
        (tempered_probabilities_over_t, "divided the probabilities"),
        (tempered_axis0, "axis 0"),
        (tempered_scaled_logits, "apply the softmax"),
        (tempered_log_probabilities, "log-probabilities"),
        (tempered_no_max, "Subtract each row's maximum"),
        (tempered_global_max, "each row's own"),
        (tempered_transposed, "transposed"),
    ],
}
