"""Lightning callbacks of the evaluation (issue 7): generation scores and the embedding analysis."""
