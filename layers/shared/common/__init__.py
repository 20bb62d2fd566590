"""Shared code for every service: errors, settings, pagination cursors, event envelopes, observability."""
