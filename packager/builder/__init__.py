"""Building: the configuration, the run over the items, and what makes its output the same every time."""
