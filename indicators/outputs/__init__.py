"""What leaves the engine for people: tables and sentences for screens, Altair charts, workbooks and CSV,
and printable report cards."""
