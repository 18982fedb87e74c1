"""Records: the DuckDB store of stations' ledgers (schema, connections, the one write path, the demo build),
ledger import checked whole, and the read-only queries the screens show."""
