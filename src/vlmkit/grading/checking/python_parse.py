"""`ast.parse` that grading threads can share: one parse at a time in this process.

    tree = parse(source)        # as ast.parse(source), raising SyntaxError the same way

CPython 3.11 before 3.11.5 (the kit's venv may be 3.11.2) keeps the depth counter of its
C-to-Python AST conversion in state that threads share: two threads parsing at once can fail with
"SystemError: AST constructor recursion depth mismatch" (CPython issue 106905). The grader parses
learner cells in grading threads (delegation, registry) and mutants in audit threads, so every
parse of the grader's goes through this lock. A parse takes milliseconds: the lock costs nothing
measurable.
"""

import ast
import threading

_ONE_AT_A_TIME = threading.Lock()


def parse(source: str) -> ast.Module:
    with _ONE_AT_A_TIME:
        return ast.parse(source)
