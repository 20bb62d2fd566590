"""EventBridge: buses, rules and their targets, PutEvents and TestEventPattern, and schedules."""

from localcloud.eventbridge.service import EventBridge

__all__ = ["EventBridge"]
