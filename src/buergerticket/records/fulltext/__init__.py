"""Full-text machinery shared by case search and the knowledge base.

Text is analysed in Python (German Snowball stemming, umlaut and ß folding,
stop words) before it reaches the database, so SQLite FTS5 and PostgreSQL
full-text search index exactly the same terms and answer the same queries.
"""
