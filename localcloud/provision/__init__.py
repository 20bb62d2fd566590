"""Turn a template tree into resources in moto and a `Deployment` the emulators read."""

from localcloud.provision.stacks import Provisioner, physical_name

__all__ = ["Provisioner", "physical_name"]
