"""Assessment-indicator designer for community social work stations: the domain package (no UI).

Grouped by stage, each room says what it owns in its own docstring:

    records/   the DuckDB store, ledger import, read-only queries
    scheme/    specs and YAML, built-in schemes, editing, the history of changes
    scoring/   the filter language, measures as SQL, data treatment, staged scoring
    weights/   AHP, needs-derived, entropy and CRITIC weights
    analysis/  two schemes compared, rank sensitivity, the statistical audit (Sobol indices)
    live/      processes with people in the room (the weighting workshop)
    outputs/   views, charts, workbooks, report cards
    cli/       `python -m indicators`
    i18n/      the zh and en word tables
    errors.py  the one base class for bad input
"""
