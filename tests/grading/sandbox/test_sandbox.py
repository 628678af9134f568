"""The sandbox: what a learner's kernel can see and do, and the fallback without bubblewrap."""

import nbformat
import pytest

from vlmkit import paths
from vlmkit.grading.engine.grade import grade_notebook
from vlmkit.grading.sandbox import accounts
from vlmkit.grading.sandbox import run as sandbox
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.prestart import Prestarted
from vlmkit.grading.sandbox.run import run_notebook

pytestmark = pytest.mark.sandbox  # each test runs a sandboxed kernel

PROBE = """
import os, socket, json
seen = {"solutions": os.path.exists(%r), "src": os.path.exists(%r), "home": os.getcwd(), "uid": os.getuid()}
try:
    open(%r, "a").close(); seen["wrote_package"] = True
except OSError:
    seen["wrote_package"] = False
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2); seen["network"] = True
except OSError:
    seen["network"] = False
try:
    open("/sandbox/new-file", "w"); seen["wrote_sandbox"] = True
except OSError:
    seen["wrote_sandbox"] = False
open(os.environ["VLMKIT_RECORD"], "w").write(json.dumps(seen))  # the one writable result file
"""


def _run(tmp_path, code, limits=Limits(wall_s=60, cell_s=30), execute=run_notebook):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]),
                   str(tmp_path / "notebook.ipynb"))
    (tmp_path / "cases.json").write_text("{}")
    return execute(tmp_path, limits)


def _ahead(tmp_path, code, limits=Limits(wall_s=60, cell_s=30)):
    """The same run in a sandbox started before its notebook was written (prestart.py)."""
    with Prestarted(limits, runs=1) as execute:
        return _run(tmp_path, code, limits, execute)


@pytest.mark.skipif(not sandbox.bwrap_available(), reason="bubblewrap is not installed")
@pytest.mark.parametrize("run", [_run, _ahead], ids=["started-with-its-notebook", "started-ahead"])
def test_kernel_sees_no_solutions_cannot_write_the_kit_and_has_no_network(tmp_path, run):
    import json

    package_file = str(paths.ROOT / "src" / "vlmkit" / "__init__.py")
    code = PROBE % (str(paths.SOLUTIONS), str(paths.ROOT / "src"), package_file)
    assert run(tmp_path, code).status == "ok"
    seen = json.loads((tmp_path / "records.jsonl").read_text())
    uid = seen.pop("uid")
    if accounts.can_switch(Limits()) and sandbox.bwrap_switches_uid():  # a root grader: never root inside
        assert uid in accounts.own_block(Limits())
    assert seen == {"solutions": False, "src": True, "home": "/tmp/work", "wrote_package": False,
                    "network": False, "wrote_sandbox": False}


def test_memory_exhaustion_is_a_cell_error_not_a_machine_problem(tmp_path):
    result = _run(tmp_path, "x = bytearray(64 * 2**30)")
    executed = nbformat.read(str(tmp_path / "executed.ipynb"), as_version=4)
    assert result.status == "ok"
    assert executed.cells[0].outputs[0]["ename"] == "MemoryError"


def test_without_bubblewrap_grading_still_works_and_warns(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: False)
    source = paths.SOLUTIONS / "checkpoint" / "q6_vla_actions.ipynb"
    with pytest.warns(RuntimeWarning, match="bubblewrap"):
        result = grade_notebook("q6", source, source, paths.HIDDEN_CHECKS, Limits(wall_s=120))
    assert result.score == result.max_score == 1.0


def test_a_sandbox_started_ahead_still_times_out_and_unused_ones_are_killed(tmp_path):
    limits = Limits(wall_s=4, cell_s=30)
    with Prestarted(limits, runs=2) as execute:
        runs = list(execute.waiting)
        assert _run(tmp_path, "import time; time.sleep(30)", limits, execute).status == "timeout"
        unused = execute.waiting  # the second run's sandbox, started when the first was taken
        assert len(unused) == 1 and unused[0].process.poll() is None
    assert all(run.process.poll() is not None for run in runs + unused)
    assert not any(run.workdir.exists() for run in runs + unused)


def test_a_call_with_other_limits_runs_in_a_sandbox_of_its_own(tmp_path):
    with Prestarted(Limits(wall_s=60, cell_s=30), runs=1) as execute:
        started = execute.waiting[0]
        assert _run(tmp_path, "x = 1", Limits(wall_s=61, cell_s=30), execute).status == "ok"
        assert execute.waiting == [started] and started.process.poll() is None
    assert '"execution_count": 1' in (tmp_path / "executed.ipynb").read_text()


@pytest.mark.parametrize("runs", [1, 2], ids=["a-runner-of-its-own", "forked-where-the-grader-is-root"])
def test_a_preloaded_kernel_has_imported_its_notebooks_libraries_but_bound_no_name(tmp_path, runs):
    """kernel_preload.py: what the notebook will import is in sys.modules before its first cell,
    yet a notebook that forgets an import fails as in a fresh kernel (zygote.py: one run, or
    several, which a root grader forks from its zygote)."""
    import json

    preload = (("json", ()), ("vlmkit.grading", ("check",)), ("vlmkit.checks.q5", ()))
    code = ("import sys, os\n"
            "seen = {'loaded': 'vlmkit.checks.q5' in sys.modules,\n"
            "        'bound': [n for n in ('check', 'vlmkit', 'preload') if n in dir()]}\n"
            "try:\n    json\nexcept NameError:\n    seen['json'] = 'NameError'\n"
            "open(os.environ['VLMKIT_RECORD'], 'w').write(__import__('json').dumps(seen))")
    with Prestarted(Limits(wall_s=60, cell_s=30), runs=runs, preloads=[preload] * runs) as execute:
        assert _run(tmp_path, code, execute=execute).status == "ok"
    assert json.loads((tmp_path / "records.jsonl").read_text()) == {"loaded": True, "bound": [], "json": "NameError"}


def test_preloaded_imports_come_from_the_notebooks_code_cells_of_known_packages(tmp_path):
    from vlmkit.grading.sandbox.kernel_preload import imports_of

    cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport torch, os\nfrom PIL import Image"),
             nbformat.v4.new_code_cell("def f(:\n    import open_clip"),  # unfinished: left out
             nbformat.v4.new_markdown_cell("import transformers"),
             nbformat.v4.new_code_cell("from transformers import LlavaConfig as C\nfrom . import x\nimport evil")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(tmp_path / "n.ipynb"))
    assert imports_of(tmp_path / "n.ipynb", "q4") == (
        ("PIL", ("Image",)), ("torch", ()), ("transformers", ("LlavaConfig",)), ("vlmkit.checks.q4", ()))
    assert imports_of(tmp_path / "missing.ipynb", "q5") == (("vlmkit.checks.q5", ()),)
