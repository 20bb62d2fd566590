"""The corpus of public SAM apps: each app under apps/ is kept unchanged; their own tests are not ours."""

collect_ignore_glob = ["apps/*"]
