"""API Gateway emulation: REST and HTTP APIs from a deployment's SAM-generated definitions."""

from localcloud.gateway.gateway import Gateway

__all__ = ["Gateway"]
