"""The outbox (every email SES accepted, with its send time), plus the identities and templates created at
run time: a templated email is shown by rendering its template, so the template must survive too."""

from __future__ import annotations

from collections.abc import Iterator

from localcloud.state.codec import decode, decode_object, encode, encode_object
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "ses"


def _message_classes() -> list[type]:
    from moto.ses.models import BulkTemplateMessage, Message, RawMessage, TemplateMessage

    return [Message, TemplateMessage, BulkTemplateMessage, RawMessage]


def save(scope: Scope) -> Iterator[dict]:
    from moto.ses.models import EmailIdentity

    ses = moto_backend(scope, "ses")
    identities = [encode_object(i) for i in list(ses.email_identities.values()) if isinstance(i, EmailIdentity)]
    yield {
        "sent": [encode_object(m) for m in list(ses.sent_messages)],
        "sentCount": ses.sent_message_count,
        "identities": identities,
        "templates": encode(dict(ses.templates)),
    }


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.ses.models import EmailIdentity

    done = Restored()
    ses = moto_backend(scope, "ses")
    classes = _message_classes()
    for record in records:
        messages = [decode_object(m, classes) for m in record["sent"]]
        ses.sent_messages.extend(messages)
        ses.sent_message_count += record["sentCount"]
        for name, template in decode(record["templates"]).items():
            ses.templates.setdefault(name, template)
        for saved in record["identities"]:
            identity = decode_object(saved, [EmailIdentity])
            ses.email_identities.setdefault(identity.email_identity, identity)
        done.add("emails", len(messages))
    return done
