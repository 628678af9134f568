"""The single-user servers of a course hub: JupyterLab as each member's own uid, with limits.

JupyterHub's LocalProcessSpawner already drops to the member's uid before it starts
`jupyterhub-singleuser`; it leaves `mem_limit` to the server to read and enforces nothing.
This spawner adds, in the same pre-exec step:
- RLIMIT_AS = mem_limit for every process of the server (the server, kernels, terminals);
- RLIMIT_NPROC = `processes` for the member's uid (a fork bomb in one account stops there);
and gives each role its Jupyter set-up (learners see the Assignment List; instructors the
Course List, which leads to formgrader). Stronger limits (cgroups: memory of the whole server,
CPU shares) need a spawner that owns a cgroup per server: SystemdSpawner on a systemd host,
KubeSpawner on Kubernetes (deploy/kubernetes/).
"""

import resource

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

from vlmkit.hub.hub_config import server_environment
from vlmkit.hub.layout import HubLayout


class CourseSpawner(LocalProcessSpawner):
    hub_root = Unicode(help="the course hub folder `vlmkit hub` prepared").tag(config=True)
    processes = Integer(512, help="tasks one member's account may run at once (RLIMIT_NPROC)").tag(config=True)

    def role(self, layout: HubLayout) -> str:
        return "instructor" if self.user.name in layout.members("instructor") else "learner"

    def get_env(self):
        env = super().get_env()
        layout = HubLayout.open(self.hub_root)
        env.update(server_environment(layout, self.role(layout)))
        return env

    def make_preexec_fn(self, name):
        become_member = super().make_preexec_fn(name)
        memory, processes = int(self.mem_limit or 0), self.processes

        def preexec():
            if memory:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
            become_member()

        return preexec
