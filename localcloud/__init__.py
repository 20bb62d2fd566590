"""localcloud: run a SAM application on one machine without Docker (README.md, "localcloud day to day")."""
