"""Layer code: SAM copies it into the layer's python/ folder."""

GREETING = "hello from the layer"
