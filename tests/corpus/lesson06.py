"""Learner answers for lesson 06's exercises: right ones written differently, and wrong ones.

Read by ``tests/test_learner_corpus.py`` (see ``tests/corpus/__init__.py``): every right
answer must pass, every wrong one must fail with the message substring given, on every draw
and both in the check cell and in the grader.
"""

from __future__ import annotations

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()

# --------------------------------------------------------------------------- mask_from_lengths


def mask_broadcast(lengths, steps, padding="post"):
    positions = np.arange(steps)[None, :]
    lengths = np.asarray(lengths)[:, None]
    if padding == "post":
        return positions < lengths
    return positions >= steps - lengths


def mask_loop(lengths, steps, padding="post"):
    mask = np.zeros((len(lengths), steps), dtype=bool)
    for b, n in enumerate(lengths):
        if padding == "post":
            mask[b, :n] = True
        elif n > 0:
            mask[b, steps - n :] = True
    return mask


def mask_keras_ops(lengths, steps, padding="post"):
    ops = keras.ops
    positions = ops.expand_dims(ops.arange(steps), 0)
    n = ops.expand_dims(ops.convert_to_tensor(lengths, dtype="int32"), 1)
    post = ops.less(positions, n)
    mask = post if padding == "post" else ops.flip(post, axis=1)  # pre = post, reversed in time
    return ops.convert_to_numpy(mask)


def mask_inverted(lengths, steps, padding="post"):
    return ~mask_broadcast(lengths, steps, padding)


def mask_always_post(lengths, steps, padding="post"):
    return mask_broadcast(lengths, steps, "post")


def mask_swapped_paddings(lengths, steps, padding="post"):
    return mask_broadcast(lengths, steps, "pre" if padding == "post" else "post")


def mask_less_equal(lengths, steps, padding="post"):
    positions = np.arange(steps)[None, :]
    lengths = np.asarray(lengths)[:, None]
    if padding == "post":
        return positions <= lengths
    return positions >= steps - lengths - 1


def mask_one_short(lengths, steps, padding="post"):
    positions = np.arange(steps)[None, :]
    lengths = np.asarray(lengths)[:, None]
    if padding == "post":
        return positions < lengths - 1
    return positions > steps - lengths


def mask_as_ints(lengths, steps, padding="post"):
    return mask_broadcast(lengths, steps, padding).astype(int)


def mask_as_floats(lengths, steps, padding="post"):
    return mask_broadcast(lengths, steps, padding).astype("float32")


def mask_transposed(lengths, steps, padding="post"):
    return mask_broadcast(lengths, steps, padding).T


def mask_pre_negative_slice(lengths, steps, padding="post"):
    mask = np.zeros((len(lengths), steps), dtype=bool)
    for b, n in enumerate(lengths):
        if padding == "post":
            mask[b, :n] = True
        else:
            mask[b, -n:] = True  # with n = 0 this marks the whole row
    return mask


def mask_steps_from_longest(lengths, steps, padding="post"):
    return mask_broadcast(lengths, int(np.max(lengths)), padding)  # ignores steps


def mask_pre_rows_reversed(lengths, steps, padding="post"):
    mask = mask_broadcast(lengths, steps, "post")
    return mask[::-1] if padding == "pre" else mask  # flips the batch axis, not time


def mask_sorts_lengths(lengths, steps, padding="post"):
    lengths.sort()  # changes the caller's array
    return mask_broadcast(lengths, steps, padding)


# --------------------------------------------------------------------------- masked_mean_loss


def mean_where(losses, mask):
    return float(np.sum(np.where(mask, losses, 0.0)) / np.sum(mask))


def mean_selected_float32(losses, mask):
    return np.float32(losses.astype(np.float32)[mask.astype(bool)].mean())


def mean_keras_ops(losses, mask):
    ops = keras.ops
    weights = ops.cast(mask, "float32")
    total = ops.sum(ops.convert_to_tensor(losses, dtype="float32") * weights)
    return ops.convert_to_numpy(total / ops.sum(weights))


def mean_loop(losses, mask):
    total, count = 0.0, 0
    for b in range(losses.shape[0]):
        for t in range(losses.shape[1]):
            if mask[b, t]:
                total += losses[b, t]
                count += 1
    return total / count


def mean_over_all_steps(losses, mask):
    return (losses * mask).sum() / mask.size


def mean_unmasked(losses, mask):
    return losses.mean()


def mean_padding_in_sum(losses, mask):
    return losses.sum() / mask.sum()


def mean_sum_only(losses, mask):
    return (losses * mask).sum()


def mean_per_batch_row(losses, mask):
    return (losses * mask).sum() / len(losses)


def mean_per_time_step(losses, mask):
    return (losses * mask).sum() / losses.shape[1]


def mean_inverted_mask(losses, mask):
    return losses[~mask].mean()


def mean_per_sequence_nan(losses, mask):
    with np.errstate(invalid="ignore"):
        return np.mean((losses * mask).sum(axis=1) / mask.sum(axis=1))  # the empty row: NaN


def mean_per_sequence_safe(losses, mask):
    counts = np.maximum(mask.sum(axis=1), 1)
    return np.mean((losses * mask).sum(axis=1) / counts)


def mean_per_sequence_skip_empty(losses, mask):
    means = [losses[b][mask[b]].mean() for b in range(len(losses)) if mask[b].any()]
    return float(np.mean(means))


def mean_count_nonzero(losses, mask):
    masked = losses * mask
    return masked.sum() / np.count_nonzero(masked)  # a real step may have a loss of 0


def mean_count_plus_one(losses, mask):
    return losses[mask].sum() / (mask.sum() + 1)


def mean_count_minus_one(losses, mask):
    return losses[mask].sum() / (mask.sum() - 1)


def mean_median(losses, mask):
    return np.median(losses[mask])


def mean_of_time_step_means(losses, mask):
    counts = mask.sum(axis=0)
    keep = counts > 0
    return np.mean((losses * mask).sum(axis=0)[keep] / counts[keep])


def mean_rounded(losses, mask):
    return round(float(losses[mask].mean()), 2)


def mean_zeroes_losses(losses, mask):
    losses[~mask] = 0.0  # right value, but changes the caller's array
    return losses.sum() / mask.sum()


# --------------------------------------------------------------------------- bucket_batches


def bucket_argsort(lengths, batch_size):
    order = np.argsort(lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def bucket_descending_split(lengths, batch_size):
    order = np.argsort(-np.asarray(lengths))  # longest first, ties in any order
    return np.array_split(order, len(order) // batch_size)


def bucket_sorted_python(lengths, batch_size):
    order = sorted(range(len(lengths)), key=lambda i: (int(lengths[i]), -i))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [np.array(b[::-1]) for b in batches[::-1]]  # any order of batches and within them


def bucket_reshape(lengths, batch_size):
    return np.argsort(lengths).reshape(-1, batch_size)  # one 2-D array, one row per batch


def bucket_original_order(lengths, batch_size):
    return [np.arange(i, i + batch_size) for i in range(0, len(lengths), batch_size)]


def bucket_not_cut(lengths, batch_size):
    return np.argsort(lengths)


def bucket_lengths_not_indices(lengths, batch_size):
    values = np.sort(lengths)
    return [values[i : i + batch_size] for i in range(0, len(values), batch_size)]


def bucket_strided(lengths, batch_size):
    order = np.argsort(lengths)
    k = len(order) // batch_size
    return [order[i::k] for i in range(k)]  # every k-th: each batch spans all lengths


def bucket_swapped_arguments(lengths, batch_size):
    order = np.argsort(lengths)
    k = len(order) // batch_size
    return [order[i : i + k] for i in range(0, len(order), k)]  # batches of k, not batch_size


def bucket_drops_last(lengths, batch_size):
    order = np.argsort(lengths)
    return [order[i : i + batch_size] for i in range(0, len(order) - batch_size, batch_size)]


def bucket_float_indices(lengths, batch_size):
    order = np.argsort(lengths).astype(float)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def bucket_duplicate(lengths, batch_size):
    order = np.argsort(lengths)
    order[-1] = order[0]
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def bucket_argpartition(lengths, batch_size):
    order = np.argpartition(lengths, len(lengths) // 2)  # only partly sorted
    return list(order.reshape(-1, batch_size))


def bucket_coarse(lengths, batch_size):
    order = np.argsort(np.asarray(lengths) // 2, kind="stable")  # lengths 2k and 2k+1 mixed
    return list(order.reshape(-1, batch_size))


def bucket_sorted_in_chunks(lengths, batch_size, chunk=64):
    batches = []
    for start in range(0, len(lengths), chunk):  # like a shuffle buffer: sorts 64 at a time
        part = np.arange(start, min(start + chunk, len(lengths)))
        part = part[np.argsort(lengths[part])]
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    return batches


def bucket_random(lengths, batch_size):
    order = np.random.default_rng(0).permutation(len(lengths))
    return list(order.reshape(-1, batch_size))


def bucket_sorts_in_place(lengths, batch_size):
    order = np.argsort(lengths)
    lengths.sort()  # changes the caller's array
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


RIGHT = {
    "mask_from_lengths": [mask_broadcast, mask_loop, mask_keras_ops],
    "masked_mean_loss": [mean_where, mean_selected_float32, mean_keras_ops, mean_loop],
    "bucket_batches": [
        bucket_argsort,
        bucket_descending_split,
        bucket_sorted_python,
        bucket_reshape,
    ],
}

WRONG = {
    "mask_from_lengths": [
        (mask_inverted, "inverted"),
        (mask_always_post, "the one for padding='post'"),
        (mask_swapped_paddings, "the one for padding="),
        (mask_less_equal, "one step too many"),
        (mask_one_short, "one step too few"),
        (mask_as_ints, "not booleans"),
        (mask_as_floats, "not booleans"),
        (mask_transposed, "transposed"),
        (mask_pre_negative_slice, "-0 is 0, so it slices the whole row"),
        (mask_steps_from_longest, "columns, not steps"),
        (mask_pre_rows_reversed, "rows (the batch axis) in reverse order"),
        (mask_sorts_lengths, "modified `lengths` in place"),
    ],
    "masked_mean_loss": [
        (mean_over_all_steps, "divided by all the steps"),
        (mean_unmasked, "averaged every step"),
        (mean_padding_in_sum, "includes the losses at the padding"),
        (mean_sum_only, "returned the sum"),
        (mean_per_batch_row, "number of sequences"),
        (mean_per_time_step, "number of time steps"),
        (mean_inverted_mask, "averaged over the padding steps"),
        (mean_per_sequence_nan, "is nan"),
        (mean_count_nonzero, "number of nonzero losses"),
        (mean_count_plus_one, "real steps plus one"),
        (mean_count_minus_one, "real steps minus one"),
        (mean_median, "median"),
        (mean_of_time_step_means, "each time step first"),
        (mean_rounded, "has a wrong value"),
        (mean_per_sequence_safe, "each sequence first"),
        (mean_per_sequence_skip_empty, "each sequence first"),
        (mean_zeroes_losses, "modified `losses` in place"),
    ],
    "bucket_batches": [
        (bucket_original_order, "original order"),
        (bucket_not_cut, "one array of"),
        (bucket_lengths_not_indices, "lengths themselves"),
        (bucket_strided, "the fewest possible is"),
        (bucket_argpartition, "more than needed"),
        (bucket_coarse, "more than needed"),
        (bucket_sorted_in_chunks, "more than needed"),
        (bucket_random, "more than needed"),
        (bucket_swapped_arguments, "batches; you returned"),
        (bucket_drops_last, "you returned"),
        (bucket_float_indices, "floats"),
        (bucket_duplicate, "appears 2 times"),
        (bucket_sorts_in_place, "modified `lengths` in place"),
    ],
}
