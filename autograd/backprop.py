"""`backward()`'s two halves, on the nodes' slots: ordering the graph, then the float loop.

`Value.backward()` is the hot path of training, so it reads the slots directly (the layout
is in `autograd/value.py`'s docstring) instead of the public `parents` and `local_grads`:
`_intermediates_in_order` orders the non-leaf nodes, marking them in their own grad slots
instead of a hashed set, and `_propagate` applies the chain rule over them. The reference
chain rule, which knows only the public view of a node, is `autograd/chain_rule.py`'s
`_chain_rule`; `_propagate` is its copy specialised for floats in slots. `_product` is the
one rule for a single term, which both follow.

This module knows the node layout but not the `Value` class, so the value type imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value

_MANY = object()  # in `_b`: this node's `_a` and `_da` are tuples (an n-ary node)


def _check_unchanged(nodes: list[Value], where: str, writes: int) -> None:
    """Refuse a graph in which some node's parent had its `.data` written after the node
    was made (PyTorch: "modified by an inplace operation"): its local derivatives would be
    stale, silently. No write since the oldest node was made (every training loop: the
    optimizer writes, then the forward pass builds a new graph) is the quick answer.
    `writes`: the value type's count of `.data` writes so far (`value._writes`)."""
    for node in nodes:  # a plain loop: 2.5x faster than min(map(attrgetter)) (CPython 3.11)
        if node._stamp != writes:
            break
    else:
        return  # every node made after the last write (or no nodes)
    for node in nodes:
        for parent in node.parents:
            if parent._stamp > node._stamp:
                raise ValueError(
                    f"{where}: {parent!r}, an operand of a {node.op!r} node, had its .data "
                    "changed after the graph was built, so that node's local derivatives are "
                    "out of date: build the graph again after changing .data"
                )


def _propagate(order: list[Value]) -> None:
    """The chain rule over `order` (parents first), the root's grad seeded, every other
    grad 0.0. The reference chain rule is `_chain_rule` below; this is its copy specialised
    for floats in slots, for speed."""
    for node in reversed(order):
        g = node._grad
        if g == 0.0:
            # Nothing to pass on (behind a dead ReLU, or a sample with no loss, whole
            # subgraphs): a zero factor wins in the chain rule, even against an infinite
            # local derivative (see `_product`).
            continue
        a = node._a
        b = node._b
        if g - g != 0.0:  # inf or nan flows in: a local derivative of 0 still passes 0
            _propagate_nonfinite(node, g)
            continue
        if b is None:
            a._grad += node._da * g
        elif b is _MANY:
            for parent, d in zip(a, node._da):
                parent._grad += d * g
        else:
            a._grad += node._da * g
            b._grad += node._db * g


def _product(local: float, upstream: float) -> float:
    """One chain-rule term, local * upstream, where a zero factor wins: 0 even when the
    other factor is inf or nan. A local derivative of exactly 0 (x**0, detach, floor, a
    dead relu, a clamp outside its bounds) means the output does not move with that
    operand, so an infinite gradient from above (sqrt at 0) must not make it nan; PyTorch
    masks the same ops alike. The reference rule; `_propagate` applies it inline."""
    if local == 0.0 or upstream == 0.0:
        return 0.0
    return local * upstream


def _propagate_nonfinite(node: Value, g: float) -> None:
    """`_propagate`'s step for one node whose gradient is inf or nan (rare: the slow path)."""
    for parent, local in zip(node.parents, node.local_grads):
        parent._grad += _product(local, g)


class _Mark:
    """A traversal's mark, told apart by identity: a fresh object per call. (Not a float:
    only objects of a class of one's own have an identity on every interpreter; PyPy's
    floats are equal exactly when their values are.)"""

    __slots__ = ()


def _intermediates_in_order(root: Value) -> list[Value]:
    """The non-leaf nodes reachable from `root`, each after its non-leaf parents, with their
    grads reset to 0.0.

    The hot half of `backward()`, an iterative depth-first search that marks nodes in
    their own grad slots instead of a hashed set. Leaves are never visited, so their
    grads keep accumulating. The marks are this call's own objects, so a mark left by
    another call means nothing; every mark is replaced by 0.0 before returning, even
    when interrupted.
    """
    # (Typed Any: for the length of the traversal a mark stands where a float grad goes.)
    opened: Any = _Mark()  # its parents are being placed
    placed: Any = _Mark()  # it is in `order`
    order: list[Value] = []
    stack = [root]
    push = stack.append
    try:
        while stack:
            node = stack[-1]
            mark = node._grad
            if mark is placed:  # a second copy: two consumers had pushed it
                stack.pop()
                continue
            if mark is not opened:
                waiting = False
                a = node._a
                b = node._b
                if b is _MANY:
                    for parent in a:
                        if parent._a is not None and parent._grad is not placed:
                            push(parent)
                            waiting = True
                else:
                    if a._a is not None and a._grad is not placed:
                        push(a)
                        waiting = True
                    if b is not None and b._a is not None and b._grad is not placed:
                        push(b)
                        waiting = True
                if waiting:
                    node._grad = opened
                    continue
            order.append(node)  # before the pop: an interruption leaves it in `order`,
            node._grad = placed  # whose marks are cleared below
            stack.pop()
    finally:
        for node in order:
            node._grad = 0.0
        for node in stack:  # only when interrupted
            node._grad = 0.0
    return order


def _intermediates_in_order_keeping_grads(root: Value) -> list[Value]:
    """`_intermediates_in_order`'s nodes, in its very order, with every grad left as it was.

    For a reader that must change nothing the user holds: the tracer reads the graph of a
    traced function in `backward()`'s order, and that graph may hold an intermediate Value
    captured from outside, whose grad a refused trace must not reset. A copy of
    `_intermediates_in_order` (keep the two alike) that also keeps each grad it replaces by
    a mark, and puts them all back, even when interrupted; a copy, not a flag, so that
    `backward()`'s hot loop pays nothing for it. Only grads other than 0.0 are kept (a
    traced function's own nodes are new, their grads all 0.0: nothing to keep), so a grad
    of -0.0 comes back as 0.0.
    """
    opened: Any = _Mark()
    placed: Any = _Mark()
    order: list[Value] = []
    kept: list[tuple[Value, Any]] = []  # (node, its grad before the walk) when not 0.0
    stack = [root]
    push = stack.append
    try:
        while stack:
            node = stack[-1]
            mark = node._grad
            if mark is placed:
                stack.pop()
                continue
            if mark is not opened:  # the first visit: `mark` is the node's own grad
                if mark != 0.0:
                    kept.append((node, mark))
                waiting = False
                a = node._a
                b = node._b
                if b is _MANY:
                    for parent in a:
                        if parent._a is not None and parent._grad is not placed:
                            push(parent)
                            waiting = True
                else:
                    if a._a is not None and a._grad is not placed:
                        push(a)
                        waiting = True
                    if b is not None and b._a is not None and b._grad is not placed:
                        push(b)
                        waiting = True
                if waiting:
                    node._grad = opened
                    continue
            order.append(node)
            node._grad = placed
            stack.pop()
    finally:
        for node in order:
            node._grad = 0.0
        for node in stack:  # only when interrupted: the nodes opened, not the unvisited
            if node._grad is opened:
                node._grad = 0.0
        for node, grad in kept:
            node._grad = grad
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root` once, each after all of its parents, `root` last."""
    order: list[Value] = []
    placed: set[Value] = set()
    stack = [root]
    while stack:
        node = stack[-1]
        pending = [p for p in node.parents if p not in placed]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if node not in placed:
            placed.add(node)
            order.append(node)
    return order
