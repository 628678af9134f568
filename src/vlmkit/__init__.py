"""VLM Checkpoint Kit: the helper package that every notebook imports.

Two flows live here (see README.md):
- course content: `course` (questions, score table), `grading` (checks, engine, release);
- vision pipeline: `world` → `models` → `train` → `pipeline` → `evaluation`.
"""

__version__ = "0.1.0"
