"""The Lambda@Edge preview guard: only an admin's valid Cognito id token reaches `/preview/*`."""
