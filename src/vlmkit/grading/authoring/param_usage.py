"""What a function uses each of its parameters as, read from its syntax tree (no code runs).

    usage(function_node, "values")  # -> "array", "mapping", "sequence" or None

An array is what takes `.shape`, `.T`, `@`, a tensor method or `np.`/`torch.`/`F.` functions
(and every input of a module's `forward`); a mapping is read by string keys or `.get`/`.items`;
a sequence is iterated, unpacked, indexed or passed to `len`/`zip`/`torch.cat`. semantic_mutants.py
picks its bugs by it (a list is reversed, an array scaled, a dict loses a key).
"""

import ast

ARRAY_ATTRS = {"T", "mT", "shape", "ndim", "dim", "dtype", "device", "size", "numel", "sum", "mean", "exp",
               "log", "softmax", "reshape", "view", "squeeze", "unsqueeze", "expand", "flatten", "transpose",
               "permute", "to", "float", "clamp", "clip", "argmax", "abs", "astype", "tolist", "item"}
ARRAY_MODULES = {"np", "torch", "F"}
FACTORIES = {"eye", "zeros", "ones", "empty", "full", "arange", "linspace", "randn", "rand", "randint", "tensor"}
SEQUENCE_CALLS = {"len", "zip", "enumerate", "list", "tuple", "sorted", "reversed", "sum", "max", "min",
                  "cat", "stack", "concatenate"}
MAPPING_METHODS = {"get", "items", "keys", "values"}


def refers_to(node, names) -> bool:
    """`node` is one of `names`, or `name or default` (as in `for x in values or []`)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        node = node.values[0]
    return isinstance(node, ast.Name) and node.id in names


def _next_to(node, side):
    """The operand of an operator chain that stands next to it: `a * b @ c` gives b on the left."""
    while isinstance(node, ast.BinOp):
        node = node.right if side == "left" else node.left
    return node


def own_nodes(func):
    """The function's nodes, not those of functions, lambdas or classes nested in it."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _aliases(func, name) -> set:
    """`name` and the loop variables that take its value in `for v in (name, other)`."""
    found = {name}
    for node in ast.walk(func):
        if isinstance(node, ast.comprehension) and isinstance(node.iter, (ast.Tuple, ast.List)) \
                and any(refers_to(e, {name}) for e in node.iter.elts) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return found


def usage(func, name) -> str | None:
    """What the function uses parameter `name` as: "array", "mapping", "sequence" or None."""
    names, seen = _aliases(func, name), set()
    if func.name == "forward":
        return "array"  # a module's forward takes tensors
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and refers_to(node.value, names):
            seen.add("array" if node.attr in ARRAY_ATTRS else "mapping" if node.attr in MAPPING_METHODS else "")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) and (
                refers_to(_next_to(node.left, "left"), names) or refers_to(_next_to(node.right, "right"), names)):
            seen.add("array")
        elif isinstance(node, ast.Call) and any(refers_to(a, names) for a in node.args):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            from_module = isinstance(node.func, ast.Attribute) and refers_to(node.func.value, ARRAY_MODULES)
            if called in SEQUENCE_CALLS:
                seen.add("sequence")
            elif from_module and called not in FACTORIES and refers_to(node.args[0], names):
                seen.add("array")
        elif isinstance(node, ast.Subscript) and refers_to(node.value, names):
            text = isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
            seen.add("mapping" if text else "sequence")
        elif isinstance(node, (ast.For, ast.comprehension)) and refers_to(node.iter, names):
            seen.add("sequence")
        elif isinstance(node, ast.Starred) and refers_to(node.value, names):
            seen.add("sequence")
        elif isinstance(node, ast.Assign) and refers_to(node.value, names) and isinstance(node.targets[0], ast.Tuple):
            seen.add("sequence")
    return next((kind for kind in ("array", "mapping", "sequence") if kind in seen), None)
