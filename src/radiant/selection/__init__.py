"""Selection: criteria, ranking, fallback chains and routing rules over a snapshot."""
