"""Lightning callbacks of the evaluation: generation scores and the embedding analysis."""
