"""deploy/kubernetes/: the Zero to JupyterHub values, the course's manifests and the Dockerfile
agree with each other and with the repository, as deploy/kubernetes/README.md says they do.

No cluster, Helm or Docker is needed: the files are read as data.
"""

import importlib.util
import re
import shlex
import tomllib

import pytest
import yaml
from traitlets.config import Config

from vlmkit import paths
from vlmkit.grading.authoring.bundle import INCLUDE
from vlmkit.grading.nbgrader_io.formgrader import JUPYTER_DATA

DEPLOY = paths.ROOT / "deploy" / "kubernetes"
VALUES = yaml.safe_load((DEPLOY / "values.yaml").read_text())
MANIFESTS = {(doc["kind"], doc["metadata"]["name"]): doc
             for doc in yaml.safe_load_all((DEPLOY / "course.yaml").read_text())}
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
SINGLEUSER = VALUES["singleuser"]


def nbgrader_config() -> Config:
    """The system-wide nbgrader_config.py that values.yaml gives every member's server, loaded."""
    config = Config()
    exec(SINGLEUSER["extraFiles"]["nbgrader-config"]["stringData"], {"get_config": lambda: config})
    return config


COURSE = nbgrader_config().CourseDirectory.course_id
EXCHANGE_ROOT = nbgrader_config().Exchange.root


def formgrader_pod() -> dict:
    return MANIFESTS["Deployment", f"formgrader-{COURSE}"]["spec"]["template"]


def formgrader_container() -> dict:
    (container,) = formgrader_pod()["spec"]["containers"]
    return container


def env(container: dict) -> dict:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}


def mounts(volume_mounts: list) -> dict:
    return {mount["mountPath"]: mount for mount in volume_mounts}


def claim(volumes: list, name: str) -> str:
    (volume,) = [v for v in volumes if v["name"] == name]
    return volume["persistentVolumeClaim"]["claimName"]


def stages() -> dict:
    """Dockerfile stage name → its instructions as (keyword, arguments) pairs."""
    found, current = {}, None
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            current = found.setdefault(rest.split()[-1], [])
        current.append((keyword.upper(), rest))
    return found


def copy_sources(stage: str) -> list[str]:
    sources = []
    for keyword, rest in stages()[stage]:
        if keyword in ("COPY", "ADD"):
            words = [w for w in shlex.split(rest) if not w.startswith("--")]
            sources += words[:-1]
    return sources


def test_values_name_the_singleuser_image_command_and_limits():
    assert SINGLEUSER["image"]["name"] and SINGLEUSER["image"]["tag"]
    assert SINGLEUSER["cmd"] == "jupyterhub-singleuser"
    assert SINGLEUSER["defaultUrl"] == "/lab"
    for resource in ("cpu", "memory"):
        assert set(SINGLEUSER[resource]) == {"guarantee", "limit"}
    assert VALUES["cull"]["enabled"] is True
    assert VALUES["hub"]["config"]["JupyterHub"]["authenticator_class"] != "pam"


def test_exchange_volume_is_mounted_where_the_nbgrader_config_says_in_every_pod():
    assert COURSE == "vlm-checkpoint"
    assert SINGLEUSER["extraFiles"]["nbgrader-config"]["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    (mount,) = [m for m in SINGLEUSER["storage"]["extraVolumeMounts"] if m["mountPath"] == EXCHANGE_ROOT]
    exchange_claim = claim(SINGLEUSER["storage"]["extraVolumes"], mount["name"])
    pvc = MANIFESTS["PersistentVolumeClaim", exchange_claim]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    # the formgrader pod mounts the same claim at the same path, and the same config file
    pod = formgrader_pod()["spec"]
    grader_mounts = mounts(formgrader_container()["volumeMounts"])
    assert claim(pod["volumes"], grader_mounts[EXCHANGE_ROOT]["name"]) == exchange_claim
    config_mount = grader_mounts["/etc/jupyter/nbgrader_config.py"]
    (secret,) = [v["secret"] for v in pod["volumes"] if v["name"] == config_mount["name"]]
    assert secret["secretName"] == "singleuser"  # where the chart keeps singleuser.extraFiles
    assert config_mount["subPath"] == "nbgrader-config"


def test_formgrader_service_route_pod_and_roles_agree():
    hub = VALUES["hub"]
    group = f"formgrade-{COURSE}"
    assert hub["services"][COURSE]["url"] == f"http://formgrader-{COURSE}:8888"
    service = MANIFESTS["Service", f"formgrader-{COURSE}"]["spec"]
    assert service["ports"][0]["port"] == 8888
    labels = formgrader_pod()["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    (egress,) = VALUES["proxy"]["chp"]["networkPolicy"]["egress"]
    assert egress["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()

    container = formgrader_container()
    variables = env(container)
    assert variables["JUPYTERHUB_SERVICE_NAME"] == COURSE
    assert variables["JUPYTERHUB_CLIENT_ID"] == f"service-{COURSE}"
    assert variables["JUPYTERHUB_USER"] == f"grader-{COURSE}"
    assert variables["JUPYTERHUB_SERVICE_PREFIX"] == f"/services/{COURSE}/"
    assert variables["JUPYTERHUB_OAUTH_CALLBACK_URL"] == f"/services/{COURSE}/oauth_callback"
    assert variables["JUPYTERHUB_SERVICE_URL"].endswith(":8888" + variables["JUPYTERHUB_SERVICE_PREFIX"])
    token = variables["JUPYTERHUB_API_TOKEN"]["secretKeyRef"]
    assert token == {"name": "hub", "key": f"hub.services.{COURSE}.apiToken"}  # the chart's generated token
    kit_data = JUPYTER_DATA.relative_to(paths.ROOT / "src").as_posix()  # vlmkit/grading/nbgrader_io/jupyter_data
    assert variables["JUPYTER_PATH"].endswith("site-packages/" + kit_data)
    assert "jupyterhub-singleuser --ServerApp.root_dir=/srv/course" in " ".join(container["command"])

    assert group in hub["config"]["JupyterHub"]["load_groups"]
    role = hub["loadRoles"][group]
    assert role["groups"] == [group]
    assert {f"access:services!service={COURSE}", "list:services", f"read:services!service={COURSE}"} <= set(
        role["scopes"])
    assert hub["loadRoles"]["server"]["scopes"] == ["inherit"]  # nbgrader's Course List


def test_dask_workers_see_the_course_where_the_formgrader_does():
    worker = MANIFESTS["Deployment", "dask-worker"]["spec"]["template"]["spec"]
    course_mount = mounts(formgrader_container()["volumeMounts"])["/srv/course"]
    (worker_container,) = worker["containers"]
    assert "tcp://dask-scheduler:8786" in worker_container["command"]
    assert MANIFESTS["Service", "dask-scheduler"]["spec"]["ports"][0]["port"] == 8786
    assert claim(worker["volumes"], mounts(worker_container["volumeMounts"])["/srv/course"]["name"]) == claim(
        formgrader_pod()["spec"]["volumes"], course_mount["name"])
    policy = MANIFESTS["NetworkPolicy", "dask-grading"]["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= MANIFESTS["Deployment", "dask-scheduler"]["spec"][
        "template"]["metadata"]["labels"].items()


def test_every_copy_source_exists_and_is_in_the_build_context():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    included = {line[1:] for line in ignore if line.startswith("!")}
    sources = copy_sources("learner") + copy_sources("grader")
    assert sources
    for source in sources:
        assert (paths.ROOT / source).exists(), source
        assert any(source == kept or source.startswith(kept + "/") for kept in included), source


def test_learner_image_holds_the_learner_bundle_and_the_grader_image_the_rest():
    learner = set(copy_sources("learner")) - {"deploy/kubernetes/jupyter_roles.py"}
    assert learner == set(INCLUDE)  # no solutions/, no hidden checks
    assert {"solutions", "autograder"} <= set(copy_sources("grader"))
    assert "FROM learner AS grader" in DOCKERFILE
    assert re.search(r"^FROM quay\.io/jupyter/base-notebook:\S+ AS learner$", DOCKERFILE, re.M)
    assert "ENV VLMKIT_HOME=/opt/vlmkit" in DOCKERFILE
    assert "pip install --no-cache-dir ." in DOCKERFILE and "bubblewrap" in DOCKERFILE


def test_dockerfile_pins_torch_and_torchvision_as_pyproject_does():
    dependencies = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for package in ("torch", "torchvision"):
        (pin,) = [d for d in dependencies if re.fullmatch(rf"{package}==[\w.]+", d)]
        assert re.findall(rf"\b{package}==[\w.]+", DOCKERFILE) == [pin]


def test_role_folders_are_written_for_every_role_the_manifests_name(tmp_path):
    spec = importlib.util.spec_from_file_location("jupyter_roles", DEPLOY / "jupyter_roles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_roles(tmp_path)
    named = set(re.findall(r"/opt/vlmkit/jupyter/(\w+)", DOCKERFILE + yaml.safe_dump(VALUES)
                           + (DEPLOY / "course.yaml").read_text()))
    assert named == {"learner", "instructor", "grader"}
    for role in named:
        pages = (tmp_path / role / "labconfig" / "page_config.json").read_text()
        assert ("@jupyter/nbgrader:assignment-list" in pages) == (role == "grader")
        assert ("@jupyter/nbgrader:formgrader" in pages) == (role != "grader")


@pytest.mark.parametrize("path", ["README.md", "values.yaml", "Dockerfile"])
def test_readme_and_files_name_the_same_chart_version(path):
    assert "4.4.0" in (DEPLOY / path).read_text()
