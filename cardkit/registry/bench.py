# SPDX-License-Identifier: Apache-2.0
"""`cardkit bench registry`: import rate and lookup latencies on a synthetic registry.

Measures what a desk feels: how fast a registry file loads, and the p50/p99 latency of the two
lookups a check-in makes (exact ID; fuzzy name + DOB with one error). The synthetic file is
cached by size and seed, so repeated runs measure the store, not the generator.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from cardkit.registry.importer import import_file
from cardkit.registry.match import match
from cardkit.registry.normalize import swapped_dob
from cardkit.registry.row import CSV_COLUMNS, Resident
from cardkit.registry.rowparse import parse_row
from cardkit.registry.store import open_store
from cardkit.registry.synth import DIRTY_KINDS, Synth, strip_diacritics, typo, write_csv


def synth_file(rows: int, seed: int, directory: Path, sample: int = 2000) -> tuple[Path, list[Resident]]:
    """Write (or reuse) a synthetic CSV; return it with a sample of clean residents it contains."""
    path = directory / f"registry-{rows}-{seed}.csv"
    sample_path = path.with_suffix(".sample.csv")
    if path.exists() and sample_path.exists():
        # Regenerating 10M residents only to find the sample again would take minutes.
        with open(sample_path, encoding="utf-8", newline="") as fh:
            return path, [parse_row(row, today=date(2100, 1, 1)) for row in csv.DictReader(fh)]
    syn = Synth(seed)
    every = max(rows // sample, 1)
    picked: list[Resident] = []
    write = not path.exists()
    # closed in the finally below; opened only when the sample file must be written
    fh = open(path.with_suffix(".tmp"), "w", encoding="utf-8", newline="") if write else None  # noqa: SIM115
    try:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS)) if fh else None
        if w:
            w.writeheader()
        for i in range(rows):
            r = syn.resident()
            if syn.rng.random() < 0.05:
                r = syn.dirty(r, syn.rng.choice(DIRTY_KINDS))
            elif i % every == 0 and r.id_number:
                picked.append(r)
            if w:
                w.writerow(r.to_csv_row())
    finally:
        if fh:
            fh.close()
            os.replace(path.with_suffix(".tmp"), path)
    write_csv(sample_path.with_suffix(".tmp"), (r.to_csv_row() for r in picked))
    os.replace(sample_path.with_suffix(".tmp"), sample_path)
    return path, picked


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _variant(r: Resident, rng: random.Random) -> tuple[str, object]:
    kind = rng.randrange(3)
    if kind == 0:
        return typo(r.full_name, rng), r.date_of_birth
    if kind == 1:
        return strip_diacritics(r.full_name), r.date_of_birth
    return r.full_name, swapped_dob(r.date_of_birth) or r.date_of_birth


def _pg_bench_url(url: str) -> str:
    """A clean schema ``cardkit_bench`` on the given server, so the bench never touches real data."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS cardkit_bench CASCADE")
        conn.execute("CREATE SCHEMA cardkit_bench")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3Dcardkit_bench"


def run(rows: int, *, url: str | None = None, queries: int = 1000, seed: int = 1,
        workdir: str | None = None, progress=None, reuse_db: bool = False) -> dict[str, object]:
    """``reuse_db``: query an existing SQLite bench file of this size instead of re-importing it
    (opening it applies pending migrations, e.g. builds new indexes); import figures are then 0."""
    directory = Path(workdir or os.path.join(tempfile.gettempdir(), "cardkit-bench"))
    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    path, sample = synth_file(rows, seed, directory)
    synth_s = time.perf_counter() - t0
    if url and url.startswith(("postgresql://", "postgres://")):
        db = _pg_bench_url(url)
    else:
        db = url or str(directory / f"bench-{rows}.sqlite3")
        if not (reuse_db and Path(db).exists()):
            reuse_db = False
            for suffix in ("", "-wal", "-shm"):
                Path(db + suffix).unlink(missing_ok=True)
    reuse_db = reuse_db and not (url and url.startswith(("postgresql://", "postgres://")))
    with open_store(db) as store:
        rep = None if reuse_db else import_file(store, path, on_progress=progress)
        rng = random.Random(seed)
        exact, fuzzy, hits = [], [], 0
        for i in range(queries):
            r = sample[i % len(sample)]
            t = time.perf_counter()
            found = match(store, id_number=r.id_number)
            exact.append((time.perf_counter() - t) * 1000)
            assert found and found[0].resident.key == r.key
            name, dob = _variant(r, rng)
            t = time.perf_counter()
            cands = match(store, name=name, dob=dob, sex=r.sex)
            fuzzy.append((time.perf_counter() - t) * 1000)
            hits += bool(cands) and cands[0].resident.key == r.key
        backend = store.dialect
    return {
        "backend": backend, "rows": rows, "synth_seconds": round(synth_s, 1),
        "import_rows_per_s": round(rep.rate) if rep else 0, "import_seconds": round(rep.seconds, 1) if rep else 0,
        "rejected": len(rep.rejected) if rep else 0, "reused_db": rep is None, "queries": queries,
        "exact_ms_p50": round(statistics.median(exact), 3), "exact_ms_p99": round(_pct(exact, 0.99), 3),
        "fuzzy_ms_p50": round(statistics.median(fuzzy), 3), "fuzzy_ms_p99": round(_pct(fuzzy, 0.99), 3),
        "fuzzy_top1_rate": round(hits / queries, 4),
    }
