"""Migration scripts: frozen history, never edited once released; add a new revision instead."""
