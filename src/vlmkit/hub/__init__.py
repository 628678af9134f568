"""A JupyterHub for one course on one machine, with nbgrader's exchange (`vlmkit hub`).

    vlmkit hub roster.csv --dir /srv/vlmkit-hub      # accounts, exchange, configs; then the hub
    vlmkit release --hub /srv/vlmkit-hub             # both assignments into the exchange
    vlmkit collect --hub /srv/vlmkit-hub             # the latest submission of each learner
    vlmkit autograde --hub /srv/vlmkit-hub [--student ID]
    vlmkit release-feedback --hub /srv/vlmkit-hub    # learners' "Fetch Feedback" shows the pages

Modules: `roster` (who takes the course), `layout` (the hub folder and its settings),
`system_users` (accounts and groups), `setup` (everything the hub needs on disk),
`hub_config` (the JupyterHub configuration), `spawner` (single-user servers with limits),
`exchange` (release, collect, feedback through nbgrader's exchange).
"""
