"""nbgrader_io."""
