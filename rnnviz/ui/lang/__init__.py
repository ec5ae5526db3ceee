"""Translation tables: one module per language, each a dict from the English text to its own."""
