"""Lightning callbacks of the evaluation: decoding scores and the embedding analysis."""
