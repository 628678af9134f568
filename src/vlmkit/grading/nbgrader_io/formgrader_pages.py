"""The kit's Jupyter server extension for nbgrader's formgrader: what formgrader shows of a grades folder.

    --ServerApp.jpserver_extensions=vlmkit.grading.nbgrader_io.formgrader_pages=True

Enabled (by its name, jupyter_env.FORMGRADER_PAGES) beside nbgrader's formgrader by `vlmkit
formgrader` (formgrader.formgrader_server) and by every Jupyter config folder that keeps
formgrader (jupyter_env.config_files: the hub's grader service, Kubernetes' formgrader pod, an
instructor's `vlmkit lab`). It loads after nbgrader's extension (Jupyter loads extensions in
name order) and changes three things:

- Submissions count: nbgrader counts the folders in submitted/, which `vlmkit autograde
  SUBMISSIONS --out GRADES` does not fill (the submissions stay where they were); a learner
  with a graded submission in the gradebook is counted too (KitAPI).
- No exchange: a grades folder without a course id (not a hub's course) has no exchange, and
  nbgrader's API tried to list one on every request (a critical log line each time) and warned on
  the landing page. There the listing fails quietly (NoExchangeList: Release and Collect stay
  off, as nbgrader keeps them without a course id) and the landing page says what the folder is
  (formgrader_templates/manage_assignments.tpl). A hub's course has a course id: nbgrader's own exchange
  and warnings.
- Fresh lists after the browser's Back: Chromium serves a back navigation's requests from its
  cache without asking the server, so the Manual Grading list showed the scores from before the
  grading; formgrader's API answers are sent `Cache-Control: no-store` (NoStoreApi).
"""

from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from nbgrader.api import MissingEntry
from nbgrader.apps.api import NbGraderAPI
from nbgrader.exchange import ExchangeFactory
from nbgrader.exchange.abc import ExchangeError, ExchangeList
from nbgrader.server_extensions.formgrader import base
from tornado.web import OutputTransform

# The kit's templates, found before nbgrader's; nbgrader's stay reachable as "nbgrader/<name>".
TEMPLATES = Path(__file__).parent / "formgrader_templates"
API_PATH = "/formgrader/api/"


class NoExchangeList(ExchangeList):
    """The exchange listing of a grades folder that has none: fails without a log line."""

    def start(self):
        raise ExchangeError("no course id, so no exchange")


class KitAPI(NbGraderAPI):
    """nbgrader's API as formgrader's pages use it, on the kit's grades folders."""

    def __init__(self, coursedir, authenticator=None, **kwargs):
        if not coursedir.course_id:
            kwargs["exchange"] = ExchangeFactory(parent=kwargs.get("parent"), list=NoExchangeList)
        super().__init__(coursedir, authenticator, **kwargs)

    def get_assignment(self, assignment_id, released=None):
        assignment = super().get_assignment(assignment_id, released)
        if assignment is not None:
            assignment["num_submissions"] = len(self.get_submitted_students(assignment_id)
                                                | self.graded_students(assignment_id))
        return assignment

    def graded_students(self, assignment_id) -> set:
        """The students with a submission of `assignment_id` in the gradebook."""
        with self.gradebook as gb:
            try:
                return {submission.student_id for submission in gb.find_assignment(assignment_id).submissions}
            except MissingEntry:
                return set()


class NoStoreApi(OutputTransform):
    """`Cache-Control: no-store` on formgrader's API answers: never reused from the browser's cache."""

    def __init__(self, request):
        super().__init__(request)
        self.api = API_PATH in request.path

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.api:
            headers["Cache-Control"] = "no-store"
        return status_code, headers, chunk


def kit_loader(nbgrader_loader):
    """formgrader's template loader with the kit's templates first (they extend "nbgrader/<name>")."""
    return ChoiceLoader([FileSystemLoader(str(TEMPLATES)), nbgrader_loader,
                         PrefixLoader({"nbgrader": nbgrader_loader})])


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    settings = serverapp.web_app.settings
    if "nbgrader_jinja2_env" not in settings:
        serverapp.log.error(f"{__name__}: nbgrader's formgrader extension is not loaded; nothing to change")
        return
    # formgrader's handlers build their API from this name at each request (nbgrader offers no
    # setting for it); only formgrader's handlers use it
    base.NbGraderAPI = KitAPI
    env = settings["nbgrader_jinja2_env"]
    env.loader = kit_loader(env.loader)
    serverapp.web_app.add_transform(NoStoreApi)
