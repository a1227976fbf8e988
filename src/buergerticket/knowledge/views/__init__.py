"""Pages of the knowledge base: workspace (staff) and public FAQ."""
