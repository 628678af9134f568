"""nbgrader's side: the only place that knows nbgrader's formats, markers, gradebook and apps.

Cells and their nbgrader metadata and markers (cells, written), generate_assignment (generate),
the gradebook, written and read (gradebook), the autograded notebooks formgrader shows
(autograded), and formgrader itself with the Jupyter settings it runs under (formgrader,
formgrader_pages, jupyter_env, jupyter_process).

Imports only checking (tests/integration/test_layout.py).
"""
