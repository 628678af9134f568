"""Mutants of an answer cell: small, plausible bugs made by rewriting its syntax tree.

    for m in mutants(code, solution_lines): print(m.id, m.description)

Each mutant changes one place of the code a learner writes (the lines between `### BEGIN
SOLUTION` and `### END SOLUTION`): an operator swapped, a constant moved, a dim/axis changed, an
argument dropped or two swapped, a function swapped within its family, a statement deleted, a
clamp or a normalisation removed, `.detach()` / `.item()` put on a returned value, a returned
value altered. The new text is spliced into the original source, so comments and layout stay.

A mutant's id is `<operator>:<hash>`, the hash taken over the replaced and the replacing text
and their occurrence count: it stays the same when unrelated lines of the cell change, so a
reviewed list of equivalent mutants survives edits elsewhere in a solution.
"""

import ast
import hashlib
from dataclasses import dataclass

from vlmkit.grading.checking.python_parse import parse

# Functions a learner confuses with one another; a call of one becomes a call of each other.
FAMILIES = [
    ("tanh", "sigmoid", "relu", "gelu"),
    ("Tanh", "Sigmoid", "ReLU", "GELU"),
    ("floor", "round", "ceil"),
    ("mean", "sum"),
    ("min", "max"),
    ("amin", "amax"),
    ("argmin", "argmax"),
    ("softmax", "log_softmax"),
    ("logsigmoid", "sigmoid"),
    ("exp", "log"),
    ("zeros", "ones"),
    ("zeros_like", "ones_like"),
    ("LayerNorm", "Identity"),
    ("lower", "upper"),
]
SWAPS = {name: [other for other in family if other != name] for family in FAMILIES for name in family}
# Calls whose removal keeps their first argument: the clamp or normalisation simply missing.
PASS_THROUGH = {"min", "max", "clamp", "clip", "clamp_min", "clamp_max", "normalize", "sigmoid", "softmax",
                "log_softmax", "abs", "float", "int", "strip", "lower", "contiguous"}
BINOPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult, ast.FloorDiv],
          ast.FloorDiv: [ast.Div], ast.Pow: [ast.Mult], ast.Mod: [ast.FloorDiv], ast.MatMult: [ast.Mult]}
CMPOPS = {ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt],
          ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.In: [ast.NotIn], ast.NotIn: [ast.In],
          ast.Is: [ast.IsNot], ast.IsNot: [ast.Is]}
DIM_KEYWORDS = {"dim", "axis", "dims"}


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    line: int
    description: str
    source: str  # the whole cell with the change made
    kind: str = "syntactic"  # or "semantic" (semantic_mutants.py)


def _text(node) -> str:
    return ast.unparse(node)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number_variants(value):
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return sorted({value + 1, value - 1, value * 2, 0} - {value})
    if isinstance(value, float):
        return sorted({value + 1.0, value - 1.0, value * 2.0, 0.0} - {value})
    return []


def _called_name(call: ast.Call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _renamed(func, name):
    if isinstance(func, ast.Attribute) and not (name == "round" and _text(func.value) == "math"):
        new = ast.Attribute(func.value, name, ast.Load())
    else:  # math has no round(): the builtin is what a learner would reach for
        new = ast.Name(name)
    return ast.copy_location(new, func)


def _call_mutations(node: ast.Call):
    name = _called_name(node)
    for other in SWAPS.get(name, []):
        yield "swap_function", ast.Call(_renamed(node.func, other), node.args, node.keywords)
    if name in PASS_THROUGH:
        if node.args and not isinstance(node.func, ast.Attribute):
            yield "remove_call", node.args[0]
        elif isinstance(node.func, ast.Attribute) and not isinstance(node.func.value, ast.Name):
            yield "remove_call", node.func.value
        elif isinstance(node.func, ast.Attribute) and node.args:
            yield "remove_call", node.args[0]  # F.normalize(x, dim=-1) -> x
    if len(node.args) >= 2:
        swapped = [node.args[1], node.args[0], *node.args[2:]]
        yield "swap_arguments", ast.Call(node.func, swapped, node.keywords)
        yield "drop_argument", ast.Call(node.func, node.args[:-1], node.keywords)
    for i, keyword in enumerate(node.keywords):
        if keyword.arg is not None:
            yield "drop_argument", ast.Call(node.func, node.args, node.keywords[:i] + node.keywords[i + 1:])
        if keyword.arg in DIM_KEYWORDS:
            for value in (0, 1, -1):
                if not (isinstance(keyword.value, ast.Constant) and keyword.value.value == value) and not (
                        isinstance(keyword.value, ast.UnaryOp) and value == -1):
                    changed = ast.keyword(keyword.arg, ast.Constant(value))
                    yield "change_dim", ast.Call(node.func, node.args,
                                                 node.keywords[:i] + [changed] + node.keywords[i + 1:])


def _expression_mutations(node):
    if isinstance(node, ast.BinOp):
        for op in BINOPS.get(type(node.op), []):
            yield "swap_operator", ast.BinOp(node.left, op(), node.right)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in CMPOPS.get(type(node.ops[0]), []):
            yield "swap_comparison", ast.Compare(node.left, [op()], node.comparators)
    elif isinstance(node, ast.BoolOp):
        yield "swap_boolean", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield "remove_unary", node.operand
    elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
        for value in _number_variants(node.value):
            yield "change_constant", ast.Constant(value)
    elif isinstance(node, ast.Call):
        yield from _call_mutations(node)


def _statement_mutations(node):
    if isinstance(node, ast.Return) and node.value is not None:
        yield "alter_return", ast.Return(ast.Constant(None))
        for method in ("detach", "item"):
            value = ast.Call(ast.Attribute(node.value, method, ast.Load()), [], [])
            yield f"insert_{method}", ast.Return(value)
        if isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 2:
            elts = node.value.elts
            yield "alter_return", ast.Return(ast.Tuple([elts[1], elts[0], *elts[2:]], ast.Load()))
    elif isinstance(node, ast.AugAssign):
        for op in BINOPS.get(type(node.op), []):
            yield "swap_operator", ast.AugAssign(node.target, op(), node.value)
    docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    if not (docstring or isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))):
        yield "delete_statement", ast.Pass()


class Splicer:
    """Replaces source spans with new text, keeping everything else byte for byte."""

    def __init__(self, source: str):
        self.lines = source.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))
        self.source = source

    def _at(self, line, col):
        return self.offsets[line - 1] + len(self.lines[line - 1].encode()[:col].decode())

    def apply(self, edits):
        """The source with every ((line, col), (end_line, end_col), text) edit made (spans apart)."""
        text = self.source
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:self._at(*start)] + new + text[self._at(*end):]
        return text

    def replace(self, node, text, statement):
        span = ((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset))
        return self.apply([(*span, text if statement else f"({text})")])


def stable_id(operator: str, old_text: str, new_text: str, seen: dict) -> str:
    """`<operator>:<hash>` over the change and how often the same change came before (`seen` counts)."""
    key = (operator, old_text, new_text)
    seen[key] = seen.get(key, 0) + 1
    return f"{operator}:{hashlib.sha256(repr((*key, seen[key])).encode()).hexdigest()[:10]}"


def _in_solution(node, solution_lines) -> bool:
    return solution_lines is None or all(n in solution_lines for n in range(node.lineno, node.end_lineno + 1))


def mutants(source: str, solution_lines=None) -> list[Mutant]:
    """All mutants of `source`, in a stable order; `solution_lines` (1-based) limits where."""
    tree = parse(source)
    splicer = Splicer(source)
    found, seen = [], {}
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or not _in_solution(node, solution_lines):
            continue
        statement = isinstance(node, ast.stmt)
        makers = _statement_mutations(node) if statement else _expression_mutations(node)
        for operator, new in makers:
            new_text = _text(ast.fix_missing_locations(new))
            old_text = _text(node)
            if new_text == old_text:
                continue
            changed = splicer.replace(node, new_text, statement)
            try:
                parse(changed)
            except SyntaxError:  # e.g. a deleted statement that was a block's only one
                continue
            description = f"line {node.lineno}: {_short(old_text)}  →  {_short(new_text)}"
            found.append(Mutant(stable_id(operator, old_text, new_text, seen), operator, node.lineno,
                                description, changed))
    return found
