"""Full-text search over cases: the index (kept by an event subscriber) and the engine."""
