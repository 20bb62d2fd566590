"""Lambda entry points: parse the event, call the use case, shape the response."""
