"""Turn a template tree into resources in moto and a `Deployment` the emulators read."""

from localcloud.provision.context import physical_name
from localcloud.provision.stacks import Provisioner

__all__ = ["Provisioner", "physical_name"]
