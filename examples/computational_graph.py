"""The lecture's exercise on computational graphs: a and b learnable, c = a + b, d = b + 1, e = c * d, at
a = 2, b = 1.

Forward mode gives the derivatives of every output with respect to ONE input per pass (two passes here);
reverse mode (backpropagation) gives the derivative of ONE output with respect to every input in a single pass,
which is why machine learning, with one loss and millions of weights, uses it.

    python examples/computational_graph.py
"""
from __future__ import annotations

import neurona as nr

from _common import parse, run, show


def e_of(a, b):
    c = a + b
    d = b + 1
    return c * d


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    # reverse mode: one backward pass from e fills both gradients
    a = nr.tensor(2.0, requires_grad=True, name="a")
    b = nr.tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    c.name, d.name, e.name = "c", "d", "e"
    picture = nr.viz.graph(e)   # taken before backward; gradients appear on it afterwards
    e.backward()
    # forward mode: one pass per input, seeding that input's tangent with 1
    _, de_da = nr.jvp(e_of, (2.0, 1.0), (1.0, 0.0))
    _, de_db = nr.jvp(e_of, (2.0, 1.0), (0.0, 1.0))
    figures = {"e": e.item(), "c": c.item(), "d": d.item(),
               "de/da (reverse mode)": a.grad.item(), "de/db (reverse mode)": b.grad.item(),
               "de/da (forward mode)": de_da.item(), "de/db (forward mode)": de_db.item(),
               "by hand: de/da = d": d.item(), "by hand: de/db = d + c": d.item() + c.item()}
    show("e = (a + b)(b + 1) at a = 2, b = 1", figures)
    print("\n" + picture.dot())
    svg = picture.save(args.out / "computational_graph.svg")
    png = picture.save(args.out / "computational_graph.png")
    print(f"  pictures: {svg}, {png}")
    return figures


if __name__ == "__main__":
    run(main)
