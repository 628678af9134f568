"""Visible checks and probes, one module per question (`q5.py` → checks `q5.*`).

Each module defines `PROBES` (name → function that runs the learner's code on a case and
returns plain data) and `CHECKS` (the visible checks). Hidden checks live outside the
package, in autograder/hidden/, and reuse these probes.
"""
