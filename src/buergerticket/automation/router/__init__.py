"""The request router: predicts a free-text request's service from its subject and text."""
