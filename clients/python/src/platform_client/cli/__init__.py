"""The `todo` and `blog` commands: thin shells over the SDK, one subcommand per use case."""
