"""The course hub's set-up without a running hub: roster rules, settings, JupyterHub's config,
and the one-line errors of the hub commands. Seconds; the hub itself runs in
tests/integration/test_hub_exchange.py and tests/browser/test_hub_course.py."""

import json

import pytest
from traitlets.config import Config

from vlmkit.commands import main
from vlmkit.errors import KitError
from vlmkit.hub.hub_config import configure, ports
from vlmkit.hub.layout import HubLayout, HubSettings, parse_due
from vlmkit.hub.roster import read_roster
from vlmkit.hub.setup import HIDDEN


def _roster(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_roster_reads_members_and_role_aliases(tmp_path):
    members = read_roster(_roster(tmp_path, "id,name,role\nada,Ada L,instructor\nbo-1,Bo,Student\n"))
    assert [(m.id, m.name, m.role) for m in members] == [("ada", "Ada L", "instructor"), ("bo-1", "Bo", "learner")]


@pytest.mark.parametrize("text, says", [
    ("id,name\nada,Ada\n", "needs id,name,role"),
    ("id,name,role\nAda,Ada,instructor\n", "is not a user name"),
    ("id,name,role\nada;rm,Ada,instructor\n", "is not a user name"),
    ("id,name,role\nada,Ada,dean\n", "use learner or instructor"),
    ("id,name,role\nada,Ada,instructor\nada,Ada again,learner\n", "listed twice"),
    ("id,name,role\nbo,Bo,learner\n", "no instructor"),
])
def test_a_bad_roster_is_one_line_naming_the_row(tmp_path, text, says):
    with pytest.raises(KitError, match=says) as err:
        read_roster(_roster(tmp_path, text))
    assert "\n" not in str(err.value)


def test_a_missing_roster_says_what_to_write(tmp_path):
    with pytest.raises(KitError, match="id,name,role"):
        read_roster(tmp_path / "nope.csv")


def test_due_dates_are_utc_unless_zoned_and_bad_ones_are_one_line():
    assert parse_due("2026-12-20T23:59").utcoffset().total_seconds() == 0
    assert parse_due("2026-12-20T23:59+02:00").utcoffset().total_seconds() == 7200
    with pytest.raises(KitError, match="ISO date-time"):
        parse_due("next friday")


def _layout(tmp_path, **settings) -> HubLayout:
    members = [{"id": "ada", "name": "Ada", "role": "instructor"}, {"id": "bo", "name": "Bo", "role": "learner"}]
    layout = HubLayout(tmp_path, HubSettings(course_id="vlm-test", port=18100, members=members, **settings))
    layout.save()
    return layout


def test_settings_round_trip_and_an_unknown_key_is_ignored(tmp_path):
    layout = _layout(tmp_path, due={"checkpoint": "2026-12-20T23:59"})
    raw = json.loads((tmp_path / "hub.json").read_text())
    (tmp_path / "hub.json").write_text(json.dumps({**raw, "from_a_newer_kit": 1}))
    again = HubLayout.open(tmp_path)
    assert again.settings == layout.settings
    assert again.settings.due_date("checkpoint").hour == 23 and again.settings.due_date("capstone") is None


def test_jupyterhub_config_serves_only_loopback_and_the_roster(tmp_path):
    layout = _layout(tmp_path)
    c = Config()
    configure(c, str(tmp_path))
    port = ports(18100)
    assert (c.JupyterHub.ip, c.JupyterHub.port, c.JupyterHub.hub_ip) == ("127.0.0.1", 18100, "127.0.0.1")
    assert c.ConfigurableHTTPProxy.api_url == f"http://127.0.0.1:{port['proxy_api']}"
    assert c.Authenticator.allowed_users == {"ada", "bo"}
    assert c.JupyterHub.load_groups == {"formgrade-vlm-test": {"users": ["ada"]}}
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "formgrade-vlm-test")
    assert "access:services!service=vlm-test" in role["scopes"]
    culler, service = c.JupyterHub.services
    assert culler["command"][-1] == "--timeout=3600" and "idle-culler" in [r["name"] for r in c.JupyterHub.load_roles]
    assert (service["name"], service["user"], service["cwd"]) == ("vlm-test", "grader-vlm-test", str(layout.course))
    assert service["url"] == f"http://127.0.0.1:{port['service']}"
    assert str(layout.jupyter / "grader") in service["environment"]["JUPYTER_CONFIG_PATH"]


def test_no_idle_culler_when_servers_are_never_stopped(tmp_path):
    _layout(tmp_path, idle_timeout_s=0)
    c = Config()
    configure(c, str(tmp_path))
    assert [s["name"] for s in c.JupyterHub.services] == ["vlm-test"]


def test_learners_keep_the_assignment_list_and_lose_the_instructors_pages():
    assert "assignment-list" not in HIDDEN["learner"]
    assert {"formgrader", "create-assignment", "course-list"} <= set(HIDDEN["learner"])
    assert "formgrader" not in HIDDEN["grader"]


@pytest.mark.parametrize("argv, says", [
    (["collect", "--hub", "{tmp}/none"], "is not a course hub folder"),
    (["release-feedback", "--hub", "{tmp}/none"], "is not a course hub folder"),
    (["autograde"], "give SUBMISSIONS --out DIR, or --hub DIR"),
    (["hub", "{tmp}/roster.csv", "--dir", "{tmp}/hub", "--due", "checkpoint"], "ASSIGNMENT=WHEN"),
])
def test_hub_commands_fail_in_one_line(tmp_path, capsys, argv, says):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1, err


def test_autograde_of_an_unknown_student_is_one_line(tmp_path, capsys):
    (tmp_path / "subs" / "ada" / "checkpoint").mkdir(parents=True)
    assert main(["autograde", str(tmp_path / "subs"), "--out", str(tmp_path / "g"), "--student", "zed"]) == 2
    assert "no submission folder for zed" in capsys.readouterr().err
