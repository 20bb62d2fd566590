"""serverless-offline's entry point: the very handler localcloud runs in the same bench."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "hello"))

from app import handler

__all__ = ["handler"]
