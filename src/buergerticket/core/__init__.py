"""Cross-cutting infrastructure: CLI framework, worker and job registry, base templates."""
