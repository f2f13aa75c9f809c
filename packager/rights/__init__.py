"""Rights: map statements to verdicts, with the evidence for each."""
