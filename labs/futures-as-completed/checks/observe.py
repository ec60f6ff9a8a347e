"""Probe: runs the learner's program while watching concurrent.futures (executor sizes, submits, results)."""
from labkit import futureswatch

futureswatch.observe_entry()
