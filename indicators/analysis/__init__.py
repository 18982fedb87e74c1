"""Analysis of results: two schemes compared (rank shifts and why), how robust a ranking is to the weights, and a
statistical audit of a scheme (correlations, Cronbach's alpha, flags, Sobol indices of the ranks)."""
