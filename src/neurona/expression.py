"""Safe evaluation of a small math expression over tensors, for ``neurona graph "EXPR" --at a=2,b=1``.

Only numbers, variable names, ``+ - * / **``, unary minus and calls of a fixed list of functions are allowed;
anything else (attributes, subscripts, other names) is refused with a message naming it.

>>> import neurona as nr
>>> value = evaluate("(a + b) * (b + 1)", {"a": nr.tensor(2.0), "b": nr.tensor(1.0)})
>>> value.item()
6.0
"""
from __future__ import annotations

import ast
import math
import operator

import numpy as np

from . import ops

FUNCTIONS = {"exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "abs": ops.abs, "sin": ops.sin, "cos": ops.cos,
             "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "leaky_relu": ops.leaky_relu,
             "maximum": ops.maximum, "minimum": ops.minimum}
ARITY = {**{name: (1, 1) for name in FUNCTIONS}, "leaky_relu": (1, 2), "maximum": (2, 2), "minimum": (2, 2)}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
MAX_CHARACTERS = 1000  # a graph worth drawing is far smaller; these bounds keep the evaluation shallow and quick
MAX_NODES = 400
MAX_DEPTH = 60


class ExpressionError(ValueError):
    """The expression is not one neurona can evaluate; the message says which part."""


def evaluate(text: str, variables: dict):
    """Evaluate ``text`` with ``variables`` (name -> Tensor); the value must be finite."""
    if len(text) > MAX_CHARACTERS:
        raise ExpressionError(f"the expression has {len(text)} characters; at most {MAX_CHARACTERS} are allowed")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, MemoryError, RecursionError) as exc:
        raise ExpressionError(f"cannot parse {_short(text)}: {getattr(exc, 'msg', 'too deeply nested')}") from None
    _check_size(tree.body)
    with np.errstate(all="ignore"):  # an overflow or a division by zero is reported below, in one line
        value = _eval(tree.body, variables)
    number = value.item() if hasattr(value, "item") else value
    if not math.isfinite(number):
        raise ExpressionError(f"the value of {_short(text)} is {number}: an overflow, a division by zero or a "
                              "logarithm of a number <= 0")
    return value


def _short(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _check_size(root):
    nodes, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is too large to draw: at most {MAX_NODES} parts nested at most "
                                  f"{MAX_DEPTH} deep are allowed")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _eval(node, variables):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            return np.float64(node.value)
        except OverflowError:
            raise ExpressionError(f"the number {str(node.value)[:20]}... is too large") from None
    if isinstance(node, ast.Name):
        if node.id not in variables:
            raise ExpressionError(f"unknown variable {node.id!r}; give its value with --at {node.id}=...")
        return variables[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left, variables), _eval(node.right, variables))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand, variables)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return _call(node, variables)
    raise ExpressionError(f"not allowed in an expression: {ast.unparse(node)[:60]!r}")


def _call(node, variables):
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
    low, high = ARITY[name]
    if not low <= len(node.args) <= high:
        wanted = str(low) if low == high else f"{low} or {high}"
        raise ExpressionError(f"{name}() takes {wanted} argument{'s' if high > 1 else ''}, got {len(node.args)}")
    return FUNCTIONS[name](*[_eval(a, variables) for a in node.args])
