"""The benchmark of issue 13: a synthetic library generator and the run that measures papernotes
against Hugo (``python benchmarks/bench.py``). Not part of the installed package."""
