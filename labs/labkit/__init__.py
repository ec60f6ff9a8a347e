"""labkit: the Python runtime shared by every Concurrency Labs lab (standard library only, 3.9+).

Modules are imported lazily by whoever needs them, so a learner's run pays only for what it uses.
"""
