"""One epoch of a 2-layer Transformer encoder (width 64, 4 heads) on 28-step sequences: neurona vs PyTorch.

Projection to 64 features, learned positions, 2 post-norm blocks (feed-forward 128), mean over steps, dense
softmax, batch 64, on 28x28 images read row by row.

    python benchmarks/transformer.py [--batch-size 64] [--samples 60000] [--steps 28] [--repeat 3]
"""
from __future__ import annotations

from _harness import main, time_neurona_epoch, time_torch_epoch
from lstm import add_arguments, sequences

WIDTH, HEADS, FFN, BLOCKS = 64, 4, 128, 2


def run_neurona(args):
    import neurona as nr
    from neurona import layers as L
    x, y = sequences(args.samples, steps=args.steps)
    nr.utils.set_random_seed(0)
    model = nr.Sequential([L.Input((args.steps, 28)), L.Dense(WIDTH), L.PositionEmbedding(args.steps)]
                          + [L.TransformerEncoder(FFN, HEADS) for _ in range(BLOCKS)]
                          + [L.GlobalAveragePooling1D(), L.Dense(10, activation="softmax")])
    return time_neurona_epoch(model, x, y, args.batch_size)


def run_torch(args):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = torch.nn.Linear(28, WIDTH)
            self.pos = torch.nn.Parameter(torch.randn(args.steps, WIDTH) * 0.1)
            layer = torch.nn.TransformerEncoderLayer(WIDTH, HEADS, FFN, dropout=0.0, batch_first=True)
            self.encoder = torch.nn.TransformerEncoder(layer, BLOCKS, enable_nested_tensor=False)
            self.out = torch.nn.Linear(WIDTH, 10)

        def forward(self, z):
            return self.out(self.encoder(self.inp(z) + self.pos).mean(dim=1))
    torch.manual_seed(0)
    return time_torch_epoch(Net(), *sequences(args.samples, steps=args.steps), args.batch_size)


if __name__ == "__main__":
    main(__doc__.splitlines()[0], __file__, run_neurona, run_torch, add_arguments)
