"""The careful copy of a traced function's code, made from its fast code when first needed.

The fast code multiplies each chain-rule term out (`g3 += g4 * d3`). Where a gradient
meets inf or nan, the engine lets a zero factor win instead (`engine._product`: 0 * inf
passes back 0). The two can differ only when a gradient is not finite, so a call whose
gradients are all finite keeps the fast code's numbers, and any other call is redone by
this copy, which applies `_product` to every term:

    g3 = g4 * d3      ->  g3 = _product(d3, g4)
    g3 += g4 * d3     ->  g3 += _product(d3, g4)
    g3 = g4, g3 += g4 ->  g3 = _product(1, g4), g3 += _product(1, g4)
    g3 = -g4, g3 -= g4 -> g3 = _product(-1, g4), g3 += _product(-1, g4)

Every chain-rule term of the fast code is one such assignment to a gradient variable
(`g<k>`, or `gu<k>` in a loop's body), written as `<gradient> * <local derivative>`, with
the gradient on the left (`Writer.backward`); nothing else assigns a gradient variable
except a constant (the seed 1.0, a -0.0 before a sum) or an unpacking (a loop's targets),
which the copy keeps. The rewrite reads the code's syntax tree, not its text, so labels in
comments cannot disturb it, and keeps the line numbers, so tracebacks show the same lines.

Making it costs a parse and a compile of the code (about a quarter of a cold trace), paid
once per traced path, by the first call that needs it: most programs never do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from autograd import engine
from autograd.trace.writer import FUNCTION_NAME

GRADIENT = re.compile(r"gu?\d+\Z")  # the generated code's gradient variables
PRODUCT = "_product"


def _is_gradient(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and GRADIENT.match(node.id) is not None


def _product(local: ast.expr, upstream: ast.expr, where: ast.AST) -> ast.expr:
    call = ast.Call(ast.Name(PRODUCT, ast.Load()), [local, upstream], [])
    return ast.copy_location(call, where)


def _number(x: int, where: ast.AST) -> ast.expr:
    return ast.copy_location(ast.Constant(x), where)


def _term(value: ast.expr) -> ast.expr:
    """One chain-rule term of the fast code, as the engine's `_product(local, upstream)`."""
    if _is_gradient(value):  # g: a local derivative of 1
        return _product(_number(1, value), value, value)
    if isinstance(value, ast.UnaryOp):
        if isinstance(value.op, ast.USub) and _is_gradient(value.operand):  # -g: local -1
            return _product(_number(-1, value), value.operand, value)
        if isinstance(value.operand, ast.Constant):
            return value  # -0.0 before a sum over items
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) and _is_gradient(value.left):
        return _product(value.right, value.left, value)  # g * local
    if isinstance(value, ast.Constant):
        return value  # the seed 1.0
    raise ValueError(f"trace: no chain-rule term in {ast.unparse(value)!r}")  # a writer bug


class _Rewrite(ast.NodeTransformer):
    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if len(node.targets) == 1 and _is_gradient(node.targets[0]):
            node.value = _term(node.value)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if not _is_gradient(node.target):
            return node
        if isinstance(node.op, ast.Sub) and _is_gradient(node.value):  # g -= h
            node.op = ast.Add()
            node.value = _product(_number(-1, node.value), node.value, node.value)
        elif isinstance(node.op, ast.Add):
            node.value = _term(node.value)
        else:
            raise ValueError(f"trace: no chain-rule term in {ast.unparse(node)!r}")
        return node


def careful_function(source: str, filename: str, namespace: dict[str, Any]) -> Callable:
    """The careful copy of the generated `source`, compiled, with the fast code's globals
    (`namespace`, not changed) and the engine's `_product`."""
    tree = ast.fix_missing_locations(_Rewrite().visit(ast.parse(source, filename)))
    scope = {**namespace, PRODUCT: engine._product}
    exec(compile(tree, filename + " (careful)", "exec"), scope)
    function: Callable = scope[FUNCTION_NAME]
    return function
