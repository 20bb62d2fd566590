"""Powertools logger and metrics, configured the same way in every function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics


def logger(service: str | None = None) -> Logger:
    """JSON logs; the service name comes from POWERTOOLS_SERVICE_NAME unless given."""
    return Logger(service=service, utc=True)


def metrics(namespace: str | None = None, service: str | None = None) -> Metrics:
    """EMF metrics; the namespace comes from POWERTOOLS_METRICS_NAMESPACE unless given."""
    return Metrics(namespace=namespace, service=service)
