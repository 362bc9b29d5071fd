"""Benchmarks: commands that print figures (retrieval quality, speed); they assert nothing."""
