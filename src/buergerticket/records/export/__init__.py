"""Archival packages of cases, structured after XDOMEA (Aussonderung.Aussonderung.0503)."""
