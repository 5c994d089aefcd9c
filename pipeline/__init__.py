"""ALBATTS job-role profiles (PDF or text) to tidy, validated tables."""

__version__ = "0.2.0"
