"""The dev console at `/_local`: SES outbox, event log, function logs, resources, endpoints and reset.

`app` routes requests and guards reset, `views` shapes the runtime's state for both the HTML pages and
their JSON twins under `/_local/api`, `pages` renders HTML with every dynamic value escaped.
"""

from localcloud.console.app import Console

__all__ = ["Console"]
