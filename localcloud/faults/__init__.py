"""Fault injection: rules that make AWS calls fail with AWS's own errors and Lambda workers crash or
stall, to prove that what a fault interrupts is retried or lands in a DLQ. See rules.py."""

from localcloud.faults.rules import Faults, Rule, RuleError

__all__ = ["Faults", "Rule", "RuleError"]
