# SPDX-License-Identifier: Apache-2.0
"""Getting an import file into the registry: read it, check it, write it.

``records`` reads CSV (cut into chunks of whole records, parsed by worker threads) and XLSX into
batches of stored rows; ``frames`` parses a simple CSV chunk column-wise (Polars) with the same
rules as the per-record parser; ``sqlite`` and ``postgres`` are the two :class:`Backend`\\ s with
their bulk loads (``begin_load()`` returns the per-load object: ``stage``, ``merge``, ``abort``,
a context manager); ``adbc`` is the child process that writes a large SQLite load; ``scratch``
holds the import's temporary files; ``common`` is what both loads share.
"""
