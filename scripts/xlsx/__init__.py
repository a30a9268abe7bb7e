"""Excel workbooks: refuse hostile archives (archive.py), read sheets in bounded memory (reader.py)."""
