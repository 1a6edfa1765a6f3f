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
import operator

from . import ops

FUNCTIONS = {"exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "abs": ops.abs, "sin": ops.sin, "cos": ops.cos,
             "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "leaky_relu": ops.leaky_relu,
             "maximum": ops.maximum, "minimum": ops.minimum}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}


class ExpressionError(ValueError):
    """The expression is not one neurona can evaluate; the message says which part."""


def evaluate(text: str, variables: dict):
    """Evaluate ``text`` with ``variables`` (name -> Tensor)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    return _eval(tree.body, variables)


def _eval(node, variables):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
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
        fn = FUNCTIONS.get(node.func.id)
        if fn is None:
            raise ExpressionError(f"unknown function {node.func.id!r}; known: {', '.join(sorted(FUNCTIONS))}")
        return fn(*[_eval(a, variables) for a in node.args])
    raise ExpressionError(f"not allowed in an expression: {ast.unparse(node)!r}")
