"""The blog's use cases: posts, the outbox's events, and rendering the site."""
