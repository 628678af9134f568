"""Outputs: everything derived from the stored grading results, rebuilt without running a notebook.

The results themselves (results), the printed score table (score_table), grades.csv and
report.json (grade_files), learners' feedback pages (feedback), the class report (class_report,
class_report_page, class_metrics), and `rebuild`, which remakes all of them after autograde or
manual grading.

Imports checking, nbgrader_io, sandbox and engine (tests/integration/test_layout.py).
"""
