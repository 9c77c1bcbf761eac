"""Documented inputs copied into the repository, each with its source cited."""
