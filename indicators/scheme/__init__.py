"""Schemes as data: the specs (indicators, dimensions, gates, grades) and their YAML, the built-in schemes,
where schemes come from (built-in, file, saved), turning an evaluator's edits into specs, and the history of changes."""
