"""Repository tooling: the service dependency map and what a change affects."""
