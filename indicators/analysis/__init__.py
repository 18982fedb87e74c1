"""Analysis of results: two schemes compared (rank shifts and why), and how robust a ranking is to the weights."""
