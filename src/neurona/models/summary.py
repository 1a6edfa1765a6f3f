"""The text of ``model.summary()``: layer, output shape, parameters; totals in parameters and bytes."""
from __future__ import annotations


def _bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def summary_text(model) -> str:
    rows = [("Layer (type)", "Output Shape", "Param #")]
    shape = (None,) + tuple(model.expected_input) if model.expected_input is not None else None
    for layer in model.layers:
        if shape is not None and layer.built:
            shape = layer.output_shape_for(shape)
            shown = str(shape)
        else:
            shown = "?" if not layer.built else "-"
        rows.append((f"{layer.name} ({type(layer).__name__})", shown, f"{layer.count_params():,}"))
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
    line = "-" * sum(widths)
    out = [f'Model: "{model.name}"', line]
    for i, row in enumerate(rows):
        out.append("".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            out.append("=" * sum(widths))
    trainable = sum(w.size for w in model.trainable_weights)
    frozen = sum(w.size for w in model.non_trainable_weights)
    total_bytes = sum(w.data.nbytes for w in model.weights)
    out += [line,
            f"Total params: {trainable + frozen:,} ({_bytes(total_bytes)})",
            f"Trainable params: {trainable:,} ({_bytes(sum(w.data.nbytes for w in model.trainable_weights))})",
            f"Non-trainable params: {frozen:,} ({_bytes(sum(w.data.nbytes for w in model.non_trainable_weights))})"]
    return "\n".join(out)
