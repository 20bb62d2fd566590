"""AWS service events: the events AWS services put on the account's default bus by themselves.

A change made through localcloud's AWS endpoint (an EC2 instance launched, stopped, started or
terminated; an object written to or deleted from a bucket with EventBridge notifications on) becomes
the event AWS documents for it, routed by localcloud's EventBridge rules like any PutEvents event.
`table.BUILDERS` says which (service, action) emits what.
"""

from localcloud.service_events.emitter import Emitter
from localcloud.service_events.wsgi import ServiceEventsApp

__all__ = ["Emitter", "ServiceEventsApp"]
