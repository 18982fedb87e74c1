"""Weights: from pairwise judgments (AHP, one judge or a group), from residents' needs, and from the data
(entropy, CRITIC), plus the slider-to-judgment mapping the app uses."""
