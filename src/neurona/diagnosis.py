"""Reading the learning curves (the lecture's convergence monitoring): underfitting, overfitting or a good fit.

- **overfitting from epoch k**: the validation loss reached its minimum and then rose (the median of the last
  epochs more than ``rise_tolerance`` above it, relative) while the training loss kept falling; or the training
  loss fell far below the validation loss (``gap_ratio`` times lower, and by more than 5% of the baseline)
  and stayed there: the network memorises the training set.
- **underfitting**: even the training loss stays far from the goal: above ``target`` when one is given, or
  above half of the *baseline* loss (what predicting the average target would score, recorded by ``fit``).
- **good fit** otherwise.

>>> from neurona.callbacks import History
>>> h = History(); h.history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.1], "val_loss": [1.0, 0.6, 0.5, 0.7, 0.9]}
>>> diagnose(h).verdict, diagnose(h).overfit_epoch
('overfitting', 4)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Diagnosis:
    verdict: str                    # "underfitting", "overfitting" or "good fit"
    message: str
    best_epoch: int                 # 1-based epoch of the lowest validation (else training) loss
    overfit_epoch: int | None = None  # 1-based first epoch after the validation minimum
    numbers: dict = field(default_factory=dict)

    def __str__(self):
        return self.message


def diagnose(history, target=None, rise_tolerance=0.05, gap_ratio=2.0, baseline_fraction=0.5) -> Diagnosis:
    """The verdict on a training run, with the numbers behind it (see the module docstring)."""
    logs = getattr(history, "history", history)
    train = [float(v) for v in logs.get("loss", [])]
    if not train:
        raise ValueError("diagnose: the history has no 'loss' values; train for at least one epoch")
    val = [float(v) for v in logs.get("val_loss", [])] or None
    baseline = getattr(history, "params", {}).get("baseline_loss") if hasattr(history, "params") else None
    curve = val or train
    best = min(range(len(curve)), key=curve.__getitem__)
    window = max(1, min(5, len(train) // 5))  # the end of a curve is the median of its last epochs (noise)
    train_end = sorted(train[-window:])[window // 2]
    val_end = sorted(val[-window:])[window // 2] if val else None
    numbers = {"epochs": len(train), "best_epoch": best + 1, "final_train_loss": train[-1],
               "min_train_loss": min(train)}
    if val:
        numbers.update(final_val_loss=val[-1], min_val_loss=val[best],
                       generalization_gap=val_end - train_end,
                       val_rise=(val_end - val[best]) / max(abs(val[best]), 1e-12))
    if baseline is not None:
        numbers["baseline_loss"] = baseline
    if target is not None:
        numbers["target"] = target

    if val and best < len(val) - window and numbers["val_rise"] > rise_tolerance and train_end < train[best]:
        return Diagnosis("overfitting",
                         f"overfitting from epoch {best + 2}: validation loss was lowest at epoch {best + 1} "
                         f"({val[best]:.4g}) and rose {numbers['val_rise']:.0%} to {val_end:.4g}, while training "
                         f"loss fell from {train[best]:.4g} to {train_end:.4g}. Stop at epoch {best + 1} (early "
                         "stopping) or regularize (L2, dropout, more data).", best + 1, best + 2, numbers)
    wide_gap = val and val_end > gap_ratio * train_end and (baseline is None or
                                                           val_end - train_end > 0.05 * baseline)
    if wide_gap:
        start = len(val)
        while start > 0 and val[start - 1] > gap_ratio * train[start - 1]:
            start -= 1
        return Diagnosis("overfitting",
                         f"overfitting from epoch {start + 1}: the training loss {train_end:.4g} is far below the "
                         f"validation loss {val_end:.4g} ({val_end / max(train_end, 1e-12):.1f} times lower) since "
                         "that epoch: the network memorises the training set. Regularize (L2, dropout), use more "
                         "data or a smaller model.", best + 1, start + 1, numbers)
    reference = min(train)
    if target is not None and reference > target:
        return Diagnosis("underfitting", f"underfitting: the best training loss {reference:.4g} is above the goal "
                         f"{target:.4g}; validation {'%.4g' % min(val) if val else 'n/a'}. Use a bigger model, "
                         "train longer or tune the learning rate.", best + 1, None, numbers)
    if baseline is not None and reference > baseline_fraction * baseline:
        return Diagnosis("underfitting", f"underfitting: the best training loss {reference:.4g} is "
                         f"{reference / baseline:.0%} of the baseline {baseline:.4g} (predicting the average). "
                         "Use a bigger model, train longer or tune the learning rate.", best + 1, None, numbers)
    where = (f"validation loss {val_end:.4g} (lowest {val[best]:.4g} at epoch {best + 1}), no lasting rise"
             if val else "no validation data to check for overfitting")
    return Diagnosis("good fit", f"good fit: training loss {train_end:.4g}, {where}.", best + 1, None, numbers)
