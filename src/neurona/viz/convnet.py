"""What a convnet learned (the lecture: early layers detect simple shapes, edges and strokes; later ones whole
parts): the first convolution's kernels, and the feature maps of one image through each convolution.

>>> import numpy as np, neurona as nr
>>> from neurona import layers as L
>>> model = nr.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(2)])
>>> fig = plot_filters(model); fig2 = plot_feature_maps(model, np.zeros((8, 8, 1)))
"""
from __future__ import annotations

import math

import numpy as np

from ._canvas import figure as _figure, save as _save


def _convolutions(model):
    from ..layers import Conv2D
    found = [layer for layer in model.layers if isinstance(layer, Conv2D) and layer.rank == 2]
    if not found:
        raise ValueError("the model has no Conv2D layer")
    return found


def plot_filters(model, path=None, layer=None, columns=8):
    """The kernels of the first Conv2D (or ``layer``), one small image per filter: each input channel's weights
    (the mean over channels for colour inputs), blue negative, red positive, on a scale shared by all.

    >>> import os, tempfile
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> model = nr.Sequential([nr.layers.Input((8, 8, 1)), nr.layers.Conv2D(4, 3)])
    >>> fig = nr.viz.plot_filters(model, os.path.join(folder, "filters.png"))
    >>> os.path.getsize(os.path.join(folder, "filters.png")) > 5_000
    True
    """
    conv = layer or _convolutions(model)[0]
    kernel = conv.kernel.numpy().mean(axis=2)          # (kh, kw, filters)
    count = kernel.shape[-1]
    rows = math.ceil(count / columns)
    fig = _figure(1.3 * min(columns, count), 1.4 * rows + 0.5)
    scale = float(np.abs(kernel).max()) or 1.0
    for i in range(count):
        ax = fig.add_subplot(rows, min(columns, count), i + 1)
        ax.imshow(kernel[:, :, i], cmap="coolwarm", vmin=-scale, vmax=scale)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(str(i + 1), fontsize=7)
    fig.suptitle(f"{conv.name}: {count} kernels of {conv.kernel_size[0]}x{conv.kernel_size[1]} "
                 "(blue negative, red positive)", fontsize=9)
    return _save(fig, path)


def plot_feature_maps(model, image, path=None, maps=8):
    """``image`` (h, w, channels) and, for each Conv2D, its first ``maps`` output channels for that image (after
    the activation): what each layer responds to.

    >>> import os, tempfile
    >>> import numpy as np
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> model = nr.Sequential([nr.layers.Input((8, 8, 1)), nr.layers.Conv2D(4, 3)])
    >>> fig = nr.viz.plot_feature_maps(model, np.ones((8, 8, 1), np.float32), os.path.join(folder, "maps.png"))
    >>> os.path.getsize(os.path.join(folder, "maps.png")) > 5_000
    True
    """
    from ..autograd.grad_mode import no_grad
    from ..autograd.tensor import Tensor
    convs = _convolutions(model)
    outputs, x = {}, Tensor(np.asarray(image, dtype=np.float32)[None])
    with no_grad():
        for layer in model.layers:
            x = layer(x, training=False)
            if layer in convs:
                outputs[layer.name] = x.numpy()[0]
            if len(outputs) == len(convs):
                break
    fig = _figure(1.4 * (maps + 1), 1.5 * len(convs) + 0.4)
    for row, (name, out) in enumerate(outputs.items()):
        ax = fig.add_subplot(len(convs), maps + 1, row * (maps + 1) + 1)
        ax.imshow(np.asarray(image)[..., 0], cmap="gray_r")
        ax.set_title("input" if row == 0 else "", fontsize=7)
        ax.set_ylabel(name, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
        for j in range(min(maps, out.shape[-1])):
            ax = fig.add_subplot(len(convs), maps + 1, row * (maps + 1) + j + 2)
            ax.imshow(out[:, :, j], cmap="magma")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"map {j + 1}", fontsize=7)
    fig.suptitle("feature maps: bright where the filter responds", fontsize=9)
    return _save(fig, path)
