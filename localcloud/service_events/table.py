"""Which successful (service, action) emits which AWS service event. Add a row to emit another.

EC2 rows are read from the API's answers on the AWS endpoint (`wsgi.ServiceEventsApp`); S3 rows come
from moto's own notification step, which already knows every path that writes or deletes an object
(`moto_s3`). `ANSWERS_READ` names the services whose answers the endpoint reads.
"""

from __future__ import annotations

from localcloud.service_events import ec2, s3
from localcloud.service_events.model import Builder

BUILDERS: dict[tuple[str, str], Builder] = {
    ("ec2", "RunInstances"): ec2.state_changes,
    ("ec2", "StartInstances"): ec2.state_changes,
    ("ec2", "StopInstances"): ec2.state_changes,
    ("ec2", "TerminateInstances"): ec2.state_changes,
    **{("s3", action): s3.object_created for action in s3.CREATED},
    **{("s3", action): s3.object_deleted for action in s3.DELETED},
}
ANSWERS_READ = frozenset({"ec2"})
