"""Visible checks and probes, one module per question (`q5.py` → checks `q5.*`).

Each module defines `PROBES` (name → function that runs the learner's code on a case and
returns plain data) and `CHECKS` (the visible checks). Hidden checks live outside the
package, in autograder/hidden/, and reuse these probes. A question whose checks outgrow one
module keeps the rest beside it: `q3_references` (the transformers references), `q3_mistakes`
(its known mistakes, which failure messages name), `capstone_errors` and `capstone_pipeline`
(judges), `capstone_diagnosis` (what a wrong value says of its mistake).
`toy_clip` is the toy world of the Q1 notebook, `tiny_llava` Q4's model; `common` holds probes
several questions share.

(Not to be confused with `vlmkit.grading.checking.learner_api.check()`, which test cells call to *run* a
check defined here.)

May import: grading (compare, judges, registry), evaluation, pipeline, models, world, errors,
paths. Imported inside learner kernels, so heavy libraries load lazily where they can.
"""
