"""The sandbox: where a learner's notebook runs, under which limits, as whom, on this host.

The limits (limits: their one definition), the sandboxed run and its runner (run, runner,
capped_client), the unprivileged accounts and process groups (accounts, cgroups), what isolation
this host gives (isolation), sandboxes started ahead with their imports made (prestart,
kernel_preload, lean_imports), runners forked into them (zygote, forked_kernel) and the phase
timings of a run (timings).

Imports checking and nbgrader_io (tests/integration/test_layout.py).
"""
