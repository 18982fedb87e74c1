"""Scoring: the filter language, measures compiled to one grouped SQL pass per table, and the staged score
(raw -> treated (imputation, outliers) -> normalised -> weighted -> dimension -> total, rank, grade) that keeps every stage."""
