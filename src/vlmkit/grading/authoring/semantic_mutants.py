"""Semantic mutants of an answer cell: realistic bugs of a *class*, each of which leaves the
value of an ordinary call right and breaks a property nobody writes a case for.

    for m in semantic_mutants(code, solution_lines): print(m.id, m.description)

Operators (each yields nothing where its class does not apply; `vlmkit audit --kind semantic`):
  mutate_input        the caller's argument changed in place just before returning: a list
                      reversed, an array or tensor scaled, a dict's key popped (chosen by how the
                      function uses the parameter)
  memoise_weak_key    a module-level cache keyed on len() of an argument: the next input of the
                      same length gets the first answer
  ignore_keyword      a keyword parameter replaced by its default
  reshape_to_view     `.reshape` -> `.view`, `.contiguous()` dropped before a `.view`
  squeeze_batch       an array argument squeezed on entry: a batch of one loses its dimension
  gate_short_circuit  `x + gate * branch` skipped while the gate is zero: right output at
                      initialisation, no gradient reaches the gate
  wrong_model         a capstone component read from another of the kit's models (the scene from
                      the detector, the answer from the template baseline over the detector)

Only functions defined at the top of the cell or in its classes count (the ones checks call);
the new text is spliced in, so comments and layout stay, and ids follow mutants.py's rule.
"""

import ast
import re

from vlmkit.grading.authoring.mutants import Mutant, Splicer, stable_id
from vlmkit.grading.authoring.param_usage import own_nodes, refers_to, usage
from vlmkit.grading.checking.python_parse import parse

GATE = re.compile(r"alpha|gate", re.IGNORECASE)
RESULT = "_result"


class _Function:
    """One function a check may call, with where a mutation can put code into its solution lines."""

    def __init__(self, node, owner, source_lines, solution_lines):
        self.node, self.name = node, f"{owner}.{node.name}" if owner else node.name
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        self.params = [a.arg for a in arguments if a.arg not in ("self", "cls")]
        positional = node.args.posonlyargs + node.args.args
        defaults = dict(zip([a.arg for a in positional][::-1], node.args.defaults[::-1]))
        defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None})
        self.defaults = defaults
        self.lines, self.solution = source_lines, solution_lines
        starts = [s for s in node.body if self._ours(s) and not _docstring(s)]
        self.entry = starts[0] if starts and self._starts_line(starts[0]) else None
        self.returns = [n for n in own_nodes(node) if isinstance(n, ast.Return) and n.value is not None]
        self.returns_ok = bool(self.returns) and all(self._ours(r) and self._starts_line(r) for r in self.returns)

    def _ours(self, node) -> bool:
        return self.solution is None or all(n in self.solution for n in range(node.lineno, node.end_lineno + 1))

    def _starts_line(self, node) -> bool:
        return not self.lines[node.lineno - 1][:node.col_offset].strip()

    def at_entry(self, text):
        """An edit putting `text` (one or more statements) before the first solution statement."""
        indent = " " * self.entry.col_offset
        body = "".join(f"{line}\n{indent}" for line in text.splitlines())
        return (self.entry.lineno, self.entry.col_offset), (self.entry.lineno, self.entry.col_offset), body

    def before_returns(self, text):
        """Edits making every return compute its value, run `text`, then return the value."""
        edits = []
        for r in self.returns:
            indent = " " * r.col_offset
            tail = "".join(f"\n{indent}{line}" for line in text.splitlines()) + f"\n{indent}return {RESULT}"
            edits.append(((r.lineno, r.col_offset), (r.value.lineno, r.value.col_offset), f"{RESULT} = "))
            edits.append(((r.end_lineno, r.end_col_offset), (r.end_lineno, r.end_col_offset), tail))
        return edits


def _docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _functions(tree, source_lines, solution_lines):
    tops = [(n, None) for n in tree.body if isinstance(n, ast.FunctionDef)]
    tops += [(m, c.name) for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body
             if isinstance(m, ast.FunctionDef)]
    return [_Function(f, owner, source_lines, solution_lines) for f, owner in tops]


IN_PLACE = {  # usage -> (statement, what it does)
    "sequence": ("if isinstance({p}, list):\n    {p}.reverse()", "reverses"),
    "array": ("if hasattr({p}, '__imul__'):\n    {p} *= 2", "scales (×2)"),
    "mapping": ("if isinstance({p}, dict):\n    {p}.pop({key!r}, None)", "pops key {key!r} from"),
    "items": ("if isinstance({p}, dict) and {p}:\n    {p}.popitem()", "pops an item from"),
}


def _first_key(func, name):
    for node in ast.walk(func):
        if isinstance(node, ast.Subscript) and refers_to(node.value, {name}) and isinstance(node.slice, ast.Constant):
            return node.slice.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and refers_to(node.func.value, {name}) \
                and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
            return node.args[0].value
    return None


def _mutate_input(f: _Function):
    if not (f.returns_ok and f.entry):
        return
    for p in f.params:
        kind = usage(f.node, p)
        if kind is None:
            continue
        key = _first_key(f.node, p) if kind == "mapping" else None
        statement, verb = IN_PLACE["items" if kind == "mapping" and key is None else kind]
        caller = f"_caller_{p}"  # the caller's object, even where the function rebinds the name
        edits = [f.at_entry(f"{caller} = {p}"), *f.before_returns(statement.format(p=caller, key=key))]
        yield (f"{f.name}:{p}:{kind}", edits,
               f"mutates its argument `{p}` in place: {verb.format(key=key)} it before returning")


def _memoise_weak_key(f: _Function):
    keyed = [p for p in f.params if usage(f.node, p) and not _is_none(f.defaults.get(p))]
    if not (f.returns_ok and f.entry and keyed):
        return
    p, cache = keyed[0], f"_memo_{f.name.replace('.', '_')}"
    lookup = (f"{cache} = globals().setdefault({cache!r}, {{}})\n"
              f"if len({p}) in {cache}:\n    return {cache}[len({p})]")
    yield (f"{f.name}:{p}", [f.at_entry(lookup), *f.before_returns(f"{cache}[len({p})] = {RESULT}")],
           f"memoises on a weak key: a module-level cache keyed on len({p}), so a later input of the "
           f"same length gets the first answer")


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _ignore_keyword(f: _Function):
    if not f.entry:
        return
    used = {n.id for s in f.node.body if f._ours(s) for n in ast.walk(s) if isinstance(n, ast.Name)}
    for p, default in f.defaults.items():
        if p in used:
            text = ast.unparse(default)
            yield (f"{f.name}:{p}", [f.at_entry(f"{p} = {text}")],
                   f"ignores its keyword `{p}`: always the default {text}")


def _squeeze_batch(f: _Function):
    if not f.entry:
        return
    batched = [p for p in f.params if usage(f.node, p) == "array"][:1]  # the first array carries the batch
    for p in batched:
        yield (f"{f.name}:{p}", [f.at_entry(f"{p} = {p}.squeeze()")],
                   f"squeezes its argument `{p}` on entry: a batch of one loses its dimension")


def _span(node):
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)


def _reshape_to_view(f: _Function):
    for node in own_nodes(f.node):
        if not (isinstance(node, ast.Call) and f._ours(node) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if func.attr == "reshape" and refers_to(func.value, {"torch"}) and node.args:
            view = ast.Call(ast.Attribute(node.args[0], "view"), node.args[1:], node.keywords)
        elif func.attr == "reshape":
            view = ast.Call(ast.Attribute(func.value, "view"), node.args, node.keywords)
        elif func.attr == "view" and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Attribute) \
                and func.value.func.attr == "contiguous":
            view = ast.Call(ast.Attribute(func.value.func.value, "view"), node.args, node.keywords)
        else:
            continue
        old, new = ast.unparse(node), ast.unparse(view)
        yield f"{f.name}:{old}", [(*_span(node), new)], f"line {node.lineno}: {old} → {new} (a view needs a " \
                                                          f"contiguous input)"


def _gate_short_circuit(f: _Function):
    for node in own_nodes(f.node):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and f._ours(node)
                and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Mult)):
            continue
        gate = next((g for g in (node.right.left, node.right.right) if GATE.search(ast.unparse(g))), None)
        if gate is not None:
            base, gate_text = ast.unparse(node.left), ast.unparse(gate)
            new = f"({base} if not {gate_text}.any() else {ast.unparse(node)})"
            yield (f"{f.name}:{gate_text}", [(*_span(node), new)],
                   f"line {node.lineno}: skips the branch gated by {gate_text} while the gate is zero "
                   f"(right output at initialisation, no gradient reaches the gate)")


def _model_attributes(cls) -> dict:
    """{"clip": "self.clip", ...}: the kit's models a class loads in __init__ (load_model(model_path(kind)))."""
    found = {}
    for node in ast.walk(cls):
        loads = isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        if loads and refers_to(node.value.func, {"load_model"}):
            kinds = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if kinds:
                found[kinds[0]] = ast.unparse(node.targets[0])
    return found


def _wrong_model(f: _Function, models: dict):
    if not {"clip", "detector", "vqa"} <= set(models):
        return
    det = models["detector"]
    calls = [n for n in own_nodes(f.node) if isinstance(n, ast.Call) and f._ours(n)]
    images = next((n.args[0] for n in calls if ast.unparse(n.func) == det and n.args), None)
    if images is None:
        return
    scene = next((ast.unparse(n.targets[0]) for n in own_nodes(f.node) if isinstance(n, ast.Assign)
                  and f"{models['clip']}.classify" in ast.unparse(n.value)), "'unknown'")
    template = '__import__("vlmkit.models.template_vqa", fromlist=["template_answer"]).template_answer'
    for call in calls:
        method = ast.unparse(call.func)
        if method == f"{models['clip']}.classify" and call.args:
            new = f"{det}({ast.unparse(call.args[0])})['scene'].softmax(-1)"
            yield (f"{f.name}:scene", [(*_span(call), new)],
                   f"line {call.lineno}: reads the scene from the detector's scene head, not the CLIP zero-shot")
        elif method == f"{models['vqa']}.answer" and len(call.args) == 3:
            dets = f"{det}.decode({det}({ast.unparse(images)}))[0]"
            new = f"[{template}(q, {dets}, {scene}) for q in {ast.unparse(call.args[2])}]"
            yield (f"{f.name}:answer", [(*_span(call), new)],
                   f"line {call.lineno}: reads the answer from the template baseline over the detector, "
                   f"not the VQA model")


OPERATORS = {"mutate_input": _mutate_input, "memoise_weak_key": _memoise_weak_key,
             "ignore_keyword": _ignore_keyword, "reshape_to_view": _reshape_to_view,
             "squeeze_batch": _squeeze_batch, "gate_short_circuit": _gate_short_circuit}
SEMANTIC_OPERATORS = {*OPERATORS, "wrong_model"}  # wrong_model also needs the class's models


def semantic_mutants(source: str, solution_lines=None) -> list[Mutant]:
    """Every semantic mutant of `source`, in a stable order; `solution_lines` (1-based) limits where."""
    tree = parse(source)
    splicer, lines = Splicer(source), source.splitlines()
    models = {id(m): _model_attributes(c) for c in tree.body if isinstance(c, ast.ClassDef)
              for m in c.body if isinstance(m, ast.FunctionDef)}
    found, seen = [], {}
    for f in _functions(tree, lines, solution_lines):
        makers = [(name, op(f)) for name, op in OPERATORS.items()]
        makers.append(("wrong_model", _wrong_model(f, models.get(id(f.node), {}))))
        for operator, made in makers:
            for key, edits, description in made:
                changed = splicer.apply(edits)
                try:
                    parse(changed)
                except SyntaxError:  # a splice this operator cannot place here
                    continue
                if not description.startswith("line "):
                    description = f"line {f.node.lineno}: {f.name}() {description}"
                found.append(Mutant(stable_id(operator, key, "", seen), operator, f.node.lineno, description,
                                    changed, "semantic"))
    return found
