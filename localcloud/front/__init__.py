"""localcloud's AWS front: the one "aws" endpoint, moto behind a layer that does what moto does not
(stable Cognito identities, IAM enforcement for identity-pool credentials, the message tap log, the
emails and codes of Cognito user pools)."""

from .middleware import AwsFront

__all__ = ["AwsFront"]
