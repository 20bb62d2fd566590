"""Busy for `seconds`, with a child process of its own that would outlive it if nothing killed it."""

import subprocess
import sys
import time


def sleep_with_a_child(event, context):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    print("child", child.pid, flush=True)
    time.sleep(event.get("seconds", 60))
    return {"child": child.pid}
