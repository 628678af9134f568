"""The install story: README's two commands, CI running them, environment.yml in sync."""

import re
import tomllib

from vlmkit import paths


def test_environment_yml_installs_the_same_packages_as_pyproject():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    pip_section = (paths.ROOT / "environment.yml").read_text().split("- pip:", 1)[1]
    listed = set(re.findall(r"^\s+- ([^\s#]+)\s*$", pip_section, re.M))
    assert listed == wanted
    assert "- -e .[dev]" in (paths.ROOT / "environment.yml").read_text()


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_tests():
    readme = (paths.ROOT / "README.md").read_text()
    commands = re.findall(r"^(make \w+)", readme, re.M)
    assert commands[:2] == ["make demo", "make test"]
    assert "make test" in (paths.ROOT / ".ci" / "run").read_text()
