"""Scanner tests: the real SANE stack (test backend), file import, simulated backend."""
