"""Backends: each module walks the spec (:mod:`scripts.model.spec`) and emits one consumer's form of
it — pandera checks, polars casts and failure expressions, SQLite DDL, Excel validation, Arrow types,
the dictionary's words. Each has one entry per field kind and one per constraint, so a new
constraint is one entry per backend and a new backend is one module."""
