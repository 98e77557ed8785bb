"""Sentiment models shipped with hotwatch (see README.md here)."""
