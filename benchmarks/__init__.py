"""The benchmark suite of avala-tui: ``python -m benchmarks`` (see README.md here)."""
