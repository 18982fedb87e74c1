"""The command line, `python -m indicators`: demo, score, compare, weights, sensitivity, import, export, report."""
