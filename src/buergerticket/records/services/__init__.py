"""Write services of the records app (its own tables; case changes go through cases.services)."""
