"""Saved state: what survives a restart of localcloud (see persistence.py)."""

from localcloud.state.persistence import Persistence

__all__ = ["Persistence"]
