"""nbgrader configuration of the course (used by `vlmkit release` and by nbgrader's own CLI).

The course root is the kit's root: `solutions/` is nbgrader's source folder and `notebooks/`
its release folder. From this folder, `nbgrader generate_assignment checkpoint` works as usual;
`vlmkit release` runs the same thing in a scratch copy so that it never touches a gradebook.
"""

import os
import warnings

import sqlalchemy.exc

from vlmkit.grading.sandbox.limits import load_limits

# SQLAlchemy 2.x warns about every new student with nbgrader 0.9; it is harmless noise.
warnings.filterwarnings("ignore", category=sqlalchemy.exc.SAWarning)

c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

c.CourseDirectory.root = root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(root, "autograder", "gradebook.db")
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# ipykernel 7 warns at every start that TCP is unencrypted; encrypt where possible.
c.KernelManager.transport_encryption = "auto"
c.Execute.timeout = load_limits().cell_s  # the kit's per-cell limit (grading/sandbox/limits.py, limits.toml)
