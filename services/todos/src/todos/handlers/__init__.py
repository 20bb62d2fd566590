"""Lambda entry points: parse the API Gateway event, call the use case, shape the HTTP response."""
