"""Write each course role's Jupyter set-up into FOLDER/<role>/ (run at image build time).

    python deploy/kubernetes/jupyter_roles.py /opt/vlmkit/jupyter

The same files `vlmkit hub` writes into DIR/jupyter/<role>/ on one machine (vlmkit.hub.setup):
which nbgrader pages a server shows (labconfig/page_config.json, jupyter_server_config.json)
and the bashrc that puts the kit first on a terminal's PATH. A server uses one of them through
JUPYTER_CONFIG_PATH=FOLDER/<role>.
"""

import sys
from pathlib import Path

from vlmkit.hub.setup import write_role_configs


def write_roles(folder: Path) -> list[Path]:
    """FOLDER/<role>/... for every role; returns the files written."""
    return write_role_configs(folder)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} FOLDER")
    for path in write_roles(Path(sys.argv[1])):
        print(path)
