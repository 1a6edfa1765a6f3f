"""Reading the learning curves (the lecture's convergence monitoring): what went wrong, or that nothing did.

The verdicts, checked in this order:

- **diverged**: the training (or validation) loss became NaN or infinite. Lower the learning rate, normalize
  the inputs, clip the gradients.
- **overfitting from epoch k**: the validation loss reached its minimum and then rose (the median of the last
  epochs more than ``rise_tolerance`` above it, relative) while the training loss kept falling; or the training
  loss fell far below the validation loss (``gap_ratio`` times lower, and by more than 5% of the baseline)
  and stayed there: the network memorises the training set.
- **not converged yet**: the training loss (and the validation loss, when there is one) still fell by more
  than ``still_falling`` (relative) and by more than its noise (half the spread of the last window) between the
  medians of the last two windows of ``max(2, min(10, epochs // 10))`` epochs: the run stopped while it was
  still learning. Judged from 10 epochs on; not when a ``target`` is given and reached.
- **underfitting**: the training loss stays far from the goal: above ``target`` when one is given, or above
  ``baseline_fraction`` of the *baseline* loss (what predicting the average target would score, recorded by
  ``fit``).
- **good fit** otherwise.

The window is the last ``max(1, min(5, epochs // 5))`` epochs; medians over it smooth the noise of mini-batches.
Messages quote the last epoch's values, and say so where they quote a median.

>>> from neurona.callbacks import History
>>> h = History(); h.history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.1], "val_loss": [1.0, 0.6, 0.5, 0.7, 0.9]}
>>> diagnose(h).verdict, diagnose(h).overfit_epoch
('overfitting', 4)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

DIVERGED, OVERFITTING, NOT_CONVERGED = "diverged", "overfitting", "not converged yet"
UNDERFITTING, GOOD_FIT = "underfitting", "good fit"


@dataclass
class Diagnosis:
    verdict: str                    # one of the five verdicts of the module docstring
    message: str
    best_epoch: int                 # 1-based epoch of the lowest validation (else training) loss
    overfit_epoch: int | None = None  # 1-based first epoch after the validation minimum
    numbers: dict = field(default_factory=dict)

    def __str__(self):
        return self.message


@dataclass
class _Curves:
    train: list
    val: list | None
    window: int

    def median_end(self, curve, back=0, window=None):
        """The median of the window that ends ``back`` windows before the last epoch."""
        window = window or self.window
        end = len(curve) - back * window
        part = sorted(curve[max(0, end - window):end])
        return part[len(part) // 2]

    def trend_window(self):
        return max(2, min(10, len(self.train) // 10))

    def recent_drop(self, curve):
        """How much the median fell from the window before the last to the last one, relative."""
        w = self.trend_window()
        before, after = self.median_end(curve, 1, w), self.median_end(curve, 0, w)
        return (before - after) / max(abs(after), 1e-12)

    def still_falling(self, curve, tolerance):
        """The curve fell by more than ``tolerance`` (relative) between the last two windows, and by more than
        the noise: half the spread of the last window."""
        w = self.trend_window()
        if len(curve) < max(10, 2 * w):
            return False
        before, after = self.median_end(curve, 1, w), self.median_end(curve, 0, w)
        spread = max(curve[-w:]) - min(curve[-w:])
        return before - after > tolerance * abs(after) and before - after > 0.5 * spread


def diagnose(history, target=None, rise_tolerance=0.05, gap_ratio=2.0, baseline_fraction=0.5,
             still_falling=0.02) -> Diagnosis:
    """The verdict on a training run, with the numbers behind it (see the module docstring).

    >>> import neurona as nr
    >>> history = nr.callbacks.History()
    >>> history.history = {"loss": [1.0, 0.5, 0.3, 0.2], "val_loss": [1.0, 0.6, 0.8, 1.1]}
    >>> d = nr.diagnose(history)
    >>> d.verdict, d.best_epoch
    ('overfitting', 2)
    """
    logs = getattr(history, "history", history)
    train = [float(v) for v in logs.get("loss", [])]
    if not train:
        raise ValueError("diagnose: the history has no 'loss' values; train for at least one epoch")
    val = [float(v) for v in logs.get("val_loss", [])] or None
    curves = _Curves(train, val, max(1, min(5, len(train) // 5)))
    bad = _first_non_finite(train, val)
    if bad is not None:
        return _diverged(history, curves, *bad)
    baseline = getattr(history, "params", {}).get("baseline_loss") if hasattr(history, "params") else None
    curve = val or train
    best = min(range(len(curve)), key=curve.__getitem__)
    numbers = _numbers(curves, best, baseline, target)
    for rule in (_overfitting, _not_converged, _underfitting):
        verdict = rule(curves, best, numbers, target=target, rise_tolerance=rise_tolerance, gap_ratio=gap_ratio,
                       baseline_fraction=baseline_fraction, still_falling=still_falling)
        if verdict is not None:
            return verdict
    where = (f"validation loss {val[-1]:.4g} (lowest {val[best]:.4g} at epoch {best + 1}), no lasting rise"
             if val else "no validation data to check for overfitting")
    return Diagnosis(GOOD_FIT, f"good fit: training loss {train[-1]:.4g} at the last epoch, {where}.",
                     best + 1, None, numbers)


def _first_non_finite(train, val):
    for name, curve in (("training", train), ("validation", val or [])):
        for epoch, value in enumerate(curve):
            if not math.isfinite(value):
                return name, epoch, value
    return None


def _diverged(history, curves, name, epoch, value):
    divergence = getattr(history, "divergence", None)
    where = f"epoch {epoch + 1}"
    if divergence and name == "training":
        where = f"epoch {divergence['epoch']}, batch {divergence['batch']}"
    lr = f" (it was {divergence['learning_rate']:.3g})" if divergence else ""
    message = (f"diverged: the {name} loss became {value} at {where}. Lower the learning rate{lr}, normalize "
               "the inputs, or clip the gradients (e.g. clipnorm=1.0).")
    finite = [v for v in curves.train[:epoch] if math.isfinite(v)]
    best = min(range(len(finite)), key=finite.__getitem__) if finite else 0
    return Diagnosis(DIVERGED, message, best + 1, None,
                     {"epochs": len(curves.train), "diverged_epoch": epoch + 1, "diverged_loss": value})


def _numbers(curves, best, baseline, target) -> dict:
    train, val = curves.train, curves.val
    numbers = {"epochs": len(train), "best_epoch": best + 1, "final_train_loss": train[-1],
               "min_train_loss": min(train), "window": curves.window}
    if val:
        val_end, train_end = curves.median_end(val), curves.median_end(train)
        numbers.update(final_val_loss=val[-1], min_val_loss=val[best], generalization_gap=val_end - train_end,
                       val_rise=(val_end - val[best]) / max(abs(val[best]), 1e-12))
    if baseline is not None:
        numbers["baseline_loss"] = baseline
    if target is not None:
        numbers["target"] = target
    return numbers


def _overfitting(curves, best, numbers, gap_ratio, rise_tolerance, **_):
    train, val, window = curves.train, curves.val, curves.window
    if not val:
        return None
    train_end, val_end = curves.median_end(train), curves.median_end(val)
    median = f"the median of the last {window} epochs" if window > 1 else "the last epoch"
    if best < len(val) - window and numbers["val_rise"] > rise_tolerance and train_end < train[best]:
        return Diagnosis(OVERFITTING,
                         f"overfitting from epoch {best + 2}: validation loss was lowest at epoch {best + 1} "
                         f"({val[best]:.4g}) and rose {numbers['val_rise']:.0%} to {val_end:.4g} ({median}), while "
                         f"training loss fell from {train[best]:.4g} to {train_end:.4g}. Stop at epoch {best + 1} "
                         "(early stopping) or regularize (L2, dropout, more data).", best + 1, best + 2, numbers)
    baseline = numbers.get("baseline_loss")
    if val_end > gap_ratio * train_end and (baseline is None or val_end - train_end > 0.05 * baseline):
        start = len(val)
        while start > 0 and val[start - 1] > gap_ratio * train[start - 1]:
            start -= 1
        return Diagnosis(OVERFITTING,
                         f"overfitting from epoch {start + 1}: the training loss {train_end:.4g} is far below the "
                         f"validation loss {val_end:.4g} ({val_end / max(train_end, 1e-12):.1f} times lower; "
                         f"{median}) since that epoch: the network memorises the training set. Regularize (L2, "
                         "dropout), use more data or a smaller model.", best + 1, start + 1, numbers)
    return None


def _not_converged(curves, best, numbers, target, still_falling, **_):
    if target is not None and min(curves.train) <= target:
        return None
    falling = [curve for curve in (curves.train, curves.val) if curve]
    if not all(curves.still_falling(curve, still_falling) for curve in falling):
        return None
    numbers["recent_drop"] = curves.recent_drop(curves.train)
    also = f", validation loss {curves.val[-1]:.4g}" if curves.val else ""
    return Diagnosis(NOT_CONVERGED,
                     f"not converged yet: the training loss is still falling ({numbers['recent_drop']:.0%} between "
                     f"the medians of the last two windows of {curves.trend_window()} epochs) and is "
                     f"{curves.train[-1]:.4g} at the last epoch{also}. "
                     "Train for more epochs or raise the learning rate.", best + 1, None, numbers)


def _underfitting(curves, best, numbers, target, baseline_fraction, **_):
    reference, val = min(curves.train), curves.val
    if target is not None and reference > target:
        return Diagnosis(UNDERFITTING, f"underfitting: the best training loss {reference:.4g} is above the goal "
                         f"{target:.4g}; validation {'%.4g' % min(val) if val else 'n/a'}. Use a bigger model, "
                         "train longer or tune the learning rate.", best + 1, None, numbers)
    baseline = numbers.get("baseline_loss")
    if baseline is not None and reference > baseline_fraction * baseline:
        return Diagnosis(UNDERFITTING, f"underfitting: the best training loss {reference:.4g} is "
                         f"{reference / baseline:.0%} of the baseline {baseline:.4g} (predicting the average). "
                         "Use a bigger model, train longer or tune the learning rate.", best + 1, None, numbers)
    return None
