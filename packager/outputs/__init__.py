"""What a build gives people and tools: reports, report.html, the dataset card, Croissant."""
