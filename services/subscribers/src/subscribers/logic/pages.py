"""The pages a reader sees: the answer to the home page's subscribe form, and the unsubscribe pages. GET
only shows a button: mail scanners follow links, and must not unsubscribe anyone; the button posts the
same one-click body a mail client sends."""

from __future__ import annotations

import html

from subscribers.logic.emails import page


def confirm(action: str) -> str:
    form = (
        f'<form method="post" action="{html.escape(action)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        "<p>Stop receiving new posts at this address?</p>"
        '<button type="submit">Unsubscribe</button></form>'
    )
    return page("Unsubscribe", form)


def subscribed(message: str) -> str:
    """The form's answer, served on the blog's domain: a link back to its home page."""
    return page("Thanks for subscribing", f'<p>{html.escape(message)}</p><p><a href="/">Back to the posts</a></p>')


def not_subscribed(problem: str) -> str:
    body = f'<p>{html.escape(problem)}</p><p><a href="/#subscribe">Try another address</a></p>'
    return page("That address cannot be subscribed", body)


def done() -> str:
    return page("You are unsubscribed", "<p>This address gets no more emails from us.</p>")


def invalid_link() -> str:
    return page("This link is not valid", "<p>Copy the whole unsubscribe link from the email and try again.</p>")
