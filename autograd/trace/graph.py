"""Reading a traced graph once: every node's parents, whether it depends on the inputs, an
order in which to write it, the order in which `backward()` adds its gradients, and (for
`repeats.py`) a signature that says which nodes compute the same thing.

A batch's graph is tens of thousands of nodes, and each pass over them in Python costs
about a microsecond a node, so this is one pass, over the order that `backward()` itself
takes (the engine's `_intermediates_in_order`, the fastest walk there is, in the copy
that leaves every grad as it was), plus a walk of whatever only the aux values and the
guards reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress
from typing import Any

from autograd import engine, ops
from autograd.backprop import _intermediates_in_order_keeping_grads
from autograd.engine import Value
from autograd.trace.errors import TraceError
from autograd.trace.recorder import stranger

MANY = engine._MANY  # the `_b` of a node of many parents (its `_a` is their tuple)


class Graph:
    """The nodes reachable from the output and the other roots, read once (`read`)."""

    def __init__(self, inputs: Sequence[Value], constants: set) -> None:
        self.inputs = list(inputs)
        self.constants = constants
        self.parents: dict[Value, tuple[Value, ...]] = {}
        self.depends: dict[Value, bool] = {}  # whether it depends on the inputs
        self.order: list[Value] = []  # every node, each after its parents
        # The nodes that depend on the inputs, in backward()'s order.
        self.backward: list[Value] = []
        # A signature per node that depends on the inputs: nodes with the same one apply
        # the same op, of the same shape, to parents of the same signatures (an input by
        # its position, a constant as "a number"); `counts[s]` nodes have signature s.
        # The inputs have signatures of their own, below 0.
        self.signature: dict[Value, int] = {}
        self.counts: Counter = Counter()
        self.signed: list[Value] = []  # the nodes that have a signature >= 0, in order
        self.signed_parents: list[tuple[Value, ...]] = []  # and their parents
        self.signatures: list[int] = []  # and their signatures
        # The others: the inputs, the constants, the nodes computed from constants only.
        self.unsigned: list[Value] = []
        self._interned: dict[Any, int] = {}
        self._known: set = set()  # the kinds of node checked to be ops

    def read(self, output: Value, roots: Sequence[Value]) -> None:
        """Read the graph of `output` (the first root) and of the other `roots`."""
        parents, depends, signature, order = self.parents, self.depends, self.signature, self.order
        for k, x in enumerate(self.inputs):
            parents[x] = ()
            depends[x] = True
            signature[x] = -2 - k
        constants = [c for c in self.constants if c not in parents]
        parents.update(dict.fromkeys(constants, ()))
        depends.update(dict.fromkeys(constants, False))
        order += self.inputs
        order += constants
        self.unsigned += order
        intermediates: list[Value] = []
        if output._a is not None:
            # Not backward()'s own walk, which resets their grads: the graph may hold an
            # intermediate Value that f captured from outside, refused below, and a
            # refused trace must leave its grad as the user had it. Under backward()'s
            # lock: this walk too marks the nodes in their grad slots.
            with engine._backward_lock:
                intermediates = _intermediates_in_order_keeping_grads(output)
            self.read_nodes(intermediates)
        elif output not in parents:
            raise TraceError(stranger(output, self.inputs, self.constants))
        all_depend = len(self.signed) == len(intermediates)  # on the inputs
        for root in roots:
            if root not in parents:
                if root._a is None:
                    raise TraceError(stranger(root, self.inputs, self.constants))
                self.read_nodes(self.unread(root))
        self.counts = Counter(self.signatures)
        if all_depend:
            self.backward = intermediates[::-1]
        else:
            self.backward = [node for node in reversed(intermediates) if depends[node]]

    def unread(self, root: Value) -> list[Value]:
        """The nodes of `root`'s graph not read yet, leaves left out, each after its parents."""
        parents = self.parents
        order: list[Value] = []
        placed: set = set()
        stack: list[Any] = [root]
        while stack:
            node = stack.pop()
            if type(node) is tuple:  # (node,): its parents are placed
                order.append(node[0])
                continue
            if node in placed or node in parents:
                continue
            placed.add(node)
            stack.append((node,))
            a, b = node._a, node._b
            for parent in reversed((a,) if b is None else a if b is MANY else (a, b)):
                if parent._a is not None and parent not in placed and parent not in parents:
                    stack.append(parent)
        return order

    def read_nodes(self, nodes: list[Value]) -> None:
        """Nodes that are not leaves, each after its parents that are not leaves: their
        parents, dependence and signatures. The loop runs once per node of the graph, so it
        does the least it can (what can be done for all nodes at once is, after it)."""
        signature, interned, known = self.signature, self._interned, self._known
        depends, signature_get = self.depends, self.signature.get
        parents_list: list[tuple[Value, ...]] = []
        signatures: list[int] = []  # -1: depends on no input
        add_parents, add_signature = parents_list.append, signatures.append
        key: Any
        for node in nodes:
            a, b = node._a, node._b
            tag = node._tag
            kind = tag[0] if type(tag) is tuple else tag
            if kind not in known:
                self.check_op(node, kind)
            # The key of its signature: the op, what besides the op and the parents makes
            # its code (the kind of a folded constant, a `w·x+b`'s form; `c - x` and `x - c`
            # differ by their Op), and its parents' signatures (None: a constant). A leaf
            # parent that is neither an input nor a constant is refused.
            if b is None:
                parents: tuple[Value, ...] = (a,)
                code = signature_get(a)
                if code is None:
                    if a._a is None and a not in depends:
                        raise TraceError(stranger(a, self.inputs, self.constants))
                    key = None
                else:
                    c = node._db
                    shape: Any = None if c is None else type(c)
                    if shape is tuple:
                        shape = tuple(map(type, c))
                    key = (id(kind), shape, code)
            elif b is MANY:
                parents = a
                codes: Any = list(map(signature_get, a))
                if None in codes:
                    for p, code in zip(a, codes):
                        if code is None and p._a is None and p not in depends:
                            raise TraceError(stranger(p, self.inputs, self.constants))
                    if codes.count(None) == len(codes):
                        codes = None
                shape = (node._db, len(a))
                key = None if codes is None else (id(kind), shape, *codes)
            else:
                parents = (a, b)
                code, other = signature_get(a), signature_get(b)
                if code is None or other is None:
                    for p in (a, b):
                        if p._a is None and p not in depends:
                            raise TraceError(stranger(p, self.inputs, self.constants))
                key = None if code is None and other is None else (id(kind), None, code, other)
            add_parents(parents)
            if key is None:  # every parent a constant
                add_signature(-1)
                continue
            s = interned.get(key)
            if s is None:
                s = interned[key] = len(interned)
            signature[node] = s
            add_signature(s)
        # the rest, for all these nodes at once
        self.parents.update(zip(nodes, parents_list))
        self.order += nodes
        if -1 not in signatures:
            depends.update(dict.fromkeys(nodes, True))
            self.signed += nodes
            self.signed_parents += parents_list
            self.signatures += signatures
        else:
            mask = [s >= 0 for s in signatures]
            depends.update(zip(nodes, mask))
            self.signed += compress(nodes, mask)
            self.signed_parents += compress(parents_list, mask)
            self.signatures += compress(signatures, mask)
            self.unsigned += (node for node, m in zip(nodes, mask) if not m)

    def check_op(self, node: Value, kind: Any) -> None:
        if not isinstance(kind, ops.Op):
            raise TraceError(
                f"trace: a node records {kind!r}, which is not an Op (an entry of ops.py, or "
                "a user op of define_op): nothing says how to compute it"
            )
        self._known.add(kind)


def emission(
    parents_of: dict[Value, tuple[Value, ...]],
    depends: dict[Value, bool],
    roots: Sequence[Value],
    seen: set,
) -> list[Value]:
    """The nodes that depend on the inputs, reachable from `roots` and not `seen` yet,
    each after its parents (marking them seen)."""
    order: list[Value] = []
    stack: list[Any] = [root for root in reversed(roots) if depends[root]]
    while stack:
        node = stack.pop()
        if type(node) is tuple:
            order.append(node[0])
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node,))
        for parent in reversed(parents_of[node]):
            if parent not in seen and depends[parent]:
                stack.append(parent)
    return order
