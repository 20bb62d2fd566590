"""The console's data browser: tables, buckets, queues, topics and user pools of the deployment.

`browser` routes `/_local/data/...` (and the JSON twins under `/_local/api/data/...`); one module per
kind reads the store (`tables`, `buckets`, `queues`, `topics`, `users`) and `pages` renders it.
"""

from localcloud.console.data.browser import DataBrowser

__all__ = ["DataBrowser"]
