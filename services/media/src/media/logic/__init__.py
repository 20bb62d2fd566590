"""Use cases of the media service: issue uploads, turn an upload into renditions or a rejection."""
