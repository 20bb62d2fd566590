"""localcloud: run a SAM application on one machine without Docker (see DESIGN.md section 4)."""
