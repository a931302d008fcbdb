# SPDX-License-Identifier: Apache-2.0
"""A hard synthetic evaluation of the matcher: variant classes against a registry with namesakes.

For each class, targets are drawn from :class:`synth.Synth`; each target comes with traps put
in the registry next to it, chosen to catch the mistake the class invites while leaving the right
answer decidable from what the query states:

* namesakes: the same name and sex born the same day and month ten years apart (one digit of the
  year), on 1 January of the next year (a placeholder one digit away), and on a random day;
* a mark twin: the same letters with other marks ("Nguyễn Thư Vân" for "Nguyễn Thu Vân"), the same
  sex and DOB (same year, other day for the DOB classes) where the query keeps the target's marks,
  else born in another year (a query that lost the marks cannot tell the two apart);
* neighbours: two people of the same sex and surname born the same day.

The rest of the registry is ordinary synthetic residents. :func:`run` imports it into a store and
reports, per class, how often the right person is ranked first (``cardkit bench match``).
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from cardkit.person import DobPrecision, Sex
from cardkit.registry.dobmatch import DobMatch, compare_dobs
from cardkit.registry.match import match
from cardkit.registry.namematch import NameMatch
from cardkit.registry.normalize import tone_key
from cardkit.registry.row import Resident
from cardkit.registry.store import Store
from cardkit.registry.synth import Synth, strip_diacritics, typo

_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_MODIFIERS = frozenset("\u031b\u0306\u0302")  # horn, breve, circumflex
_VOWELS = frozenset("aeiouyAEIOUY")
FIRST, LAST = date(1930, 1, 1), date(2023, 12, 31)


class VariantClass(str, Enum):
    TWO_ERRORS = "two_errors"  # two typing errors in the name
    PARTIAL_DIACRITICS = "partial_diacritics"  # some words without their marks
    UPPER_CASE = "upper_case"
    GIVEN_NAME_FIRST = "given_name_first"  # "Thu Vân Nguyễn"
    D_VOWEL_MARK = "d_vowel_mark"  # Đ as D, ư/ơ/ô/â/ă/ê without the letter mark, tones kept
    DROPPED_MIDDLE = "dropped_middle"  # one middle word missing
    QUERY_YEAR_ONLY = "query_year_only"  # the query states the year only, or 01/01
    REGISTRY_YEAR_ONLY = "registry_year_only"  # the registry holds the year only, or 01/01
    WRONG_DAY_MONTH = "wrong_day_month"  # right year, day and month wrong
    EXACT_MARKS = "exact_marks"  # exact name, a mark twin born the same day


# Classes whose query keeps every mark of the target's name: the mark twin shares the DOB.
_KEEPS_MARKS = frozenset({VariantClass.UPPER_CASE, VariantClass.GIVEN_NAME_FIRST, VariantClass.EXACT_MARKS,
                          VariantClass.DROPPED_MIDDLE, VariantClass.QUERY_YEAR_ONLY,
                          VariantClass.REGISTRY_YEAR_ONLY, VariantClass.WRONG_DAY_MONTH})
_DOB_CLASSES = frozenset({VariantClass.QUERY_YEAR_ONLY, VariantClass.REGISTRY_YEAR_ONLY, VariantClass.WRONG_DAY_MONTH})


@dataclass(frozen=True)
class Query:
    kind: VariantClass
    name: str
    dob: date | None
    dob_precision: DobPrecision
    sex: Sex | None
    want: str  # key of the right resident
    # Another resident states exactly what the query can tell apart (same name with its marks,
    # sex, and DOB; for the DOB classes the year): no matcher can decide, not counted.
    ambiguous: bool = False


@dataclass(frozen=True)
class EvalSet:
    residents: tuple[Resident, ...]
    queries: tuple[Query, ...]


def mark_twin(name: str, rng: random.Random, word: int | None = None) -> str:
    """The same letters with another tone on one word (fold equal, tone_key different)."""
    words = name.split()
    i = rng.randrange(len(words)) if word is None else word
    nfd = unicodedata.normalize("NFD", words[i])
    tone = next((ch for ch in nfd if ch in _TONES[1:]), "")
    base = "".join(ch for ch in nfd if ch not in _TONES[1:])
    at = max((k for k, ch in enumerate(base) if ch in _VOWELS), default=len(base) - 1) + 1
    while at < len(base) and unicodedata.combining(base[at]):
        at += 1  # after the vowel's own letter mark: "ồ" is o + circumflex + grave
    new = rng.choice([t for t in _TONES if t != tone])
    words[i] = unicodedata.normalize("NFC", base[:at] + new + base[at:])
    return " ".join(words)


def drop_letter_marks(name: str) -> str:
    """Đ as D and the vowels' letter marks (horn, breve, circumflex) dropped; tones kept."""
    nfd = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in _MODIFIERS))


def _partial(name: str, rng: random.Random) -> str:
    words = name.split()
    marked = [i for i, w in enumerate(words) if strip_diacritics(w) != w] or [0]
    for i in rng.sample(marked, rng.randint(1, max(1, len(marked) - 1))):
        words[i] = strip_diacritics(words[i])
    return " ".join(words)


def _dropped(name: str, rng: random.Random) -> str:
    words = name.split()
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


_NAME_VARIANTS: dict[VariantClass, Callable[[str, random.Random], str]] = {
    VariantClass.TWO_ERRORS: lambda n, rng: typo(typo(n, rng), rng),
    VariantClass.PARTIAL_DIACRITICS: _partial,
    VariantClass.UPPER_CASE: lambda n, rng: n.upper(),
    VariantClass.GIVEN_NAME_FIRST: lambda n, rng: " ".join(n.split()[1:] + n.split()[:1]),
    VariantClass.D_VOWEL_MARK: lambda n, rng: drop_letter_marks(n),
    VariantClass.DROPPED_MIDDLE: _dropped,
}


def _valid(d: date) -> bool:
    return FIRST <= d <= LAST


def _year_shift(d: date, years: int) -> date | None:
    try:
        moved = d.replace(year=d.year + years)
    except ValueError:
        return None
    return moved if _valid(moved) else None


class _Builder:
    def __init__(self, seed: int) -> None:
        self.syn = Synth(seed)
        self.rng = random.Random(seed + 1)
        self.residents: list[Resident] = []

    def person(self, name: str, dob: date, sex: Sex | None, precision: DobPrecision = DobPrecision.EXACT) -> Resident:
        # Card dates dropped: they were drawn for another DOB (the row must stay importable).
        r = replace(self.syn.resident(), full_name=name, date_of_birth=dob, sex=sex, dob_precision=precision,
                    card_issue_date=None, card_expiry_date=None)
        self.residents.append(r)
        return r

    def target(self, kind: VariantClass) -> Resident:
        while True:
            r = self.syn.resident()
            dob = r.date_of_birth
            if not (dob.month == 1 and dob.day == 1) and _year_shift(dob, 10) and _year_shift(dob, 1):
                break
        if kind is VariantClass.REGISTRY_YEAR_ONLY:
            yearly = DobPrecision.YEAR if self.rng.random() < 0.5 else DobPrecision.EXACT
            r = replace(r, date_of_birth=date(dob.year, 1, 1), dob_precision=yearly)
        self.residents.append(r)
        return r

    def traps(self, kind: VariantClass, t: Resident, real_dob: date, query_dob: date | None) -> None:
        rng, name, sex = self.rng, t.full_name, t.sex
        for d in (_year_shift(real_dob, 10), date(real_dob.year + 1, 1, 1), self._other_year(real_dob)):
            if d:
                self.person(name, d, sex)
        if query_dob is not None and kind is VariantClass.WRONG_DAY_MONTH:
            for years in (10, 1):
                if _year_shift(query_dob, years):
                    self.person(name, _year_shift(query_dob, years), sex)
        words = len(name.split())
        twin_word = rng.choice([0, words - 1]) if kind is VariantClass.DROPPED_MIDDLE else None
        twin = mark_twin(name, rng, twin_word)
        if kind in _DOB_CLASSES:
            self.person(twin, self._same_year(real_dob, query_dob), sex)
        elif kind in _KEEPS_MARKS:
            self.person(twin, real_dob, sex)
        else:
            self.person(twin, self._other_year(real_dob), sex)
        surname = name.split()[0]
        for _ in range(2):
            other = self.syn.resident()
            while other.sex is not sex:
                other = self.syn.resident()
            self.person(" ".join([surname] + other.full_name.split()[1:]), real_dob, sex)

    def _other_year(self, d: date) -> date:
        while True:
            o = FIRST + timedelta(days=self.rng.randrange((LAST - FIRST).days))
            if abs(o.year - d.year) > 1 and o.year % 10 != d.year % 10:
                return o

    def _same_year(self, d: date, query: date | None = None) -> date:
        """Another day of d's year, no closer to ``d`` or to the query's DOB than "same year"."""
        while True:
            o = date(d.year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            if (o.month, o.day) != (1, 1) and all(
                    compare_dobs(x, DobPrecision.EXACT, o, DobPrecision.EXACT) is DobMatch.YEAR_EQUAL
                    for x in (d, query) if x is not None and (x.month, x.day) != (1, 1)):
                return o

    def query(self, kind: VariantClass, t: Resident, real_dob: date) -> Query:
        rng = self.rng
        name, dob, precision = t.full_name, real_dob, DobPrecision.EXACT
        if kind in _NAME_VARIANTS:
            name = _NAME_VARIANTS[kind](name, rng)
        elif kind is VariantClass.QUERY_YEAR_ONLY:
            dob = date(real_dob.year, 1, 1)
            precision = DobPrecision.YEAR if rng.random() < 0.5 else DobPrecision.EXACT
        elif kind is VariantClass.WRONG_DAY_MONTH:
            dob = self._same_year(real_dob)
        return Query(kind, name, dob, precision, t.sex, t.key)


def build_eval(rows: int, per_class: int, seed: int = 1) -> EvalSet:
    """About ``rows`` residents (never fewer than the targets and their traps) and
    ``per_class`` queries of every class, reproducibly from ``seed``."""
    b = _Builder(seed)
    queries: list[Query] = []
    for kind in VariantClass:
        for _ in range(per_class):
            t = b.target(kind)
            real = t.date_of_birth
            if kind is VariantClass.REGISTRY_YEAR_ONLY:
                # The card knows the real date; the registry kept the year (set by target()).
                real = date(real.year, b.rng.randint(2, 12), b.rng.randint(1, 28))
            q = b.query(kind, t, real)
            b.traps(kind, t, real, q.dob)
            queries.append(q)
    b.residents.extend(b.syn.resident() for _ in range(max(0, rows - len(b.residents))))
    return EvalSet(tuple(b.residents), tuple(_mark_ambiguous(b.residents, queries)))


def _mark_ambiguous(residents: list[Resident], queries: list[Query]) -> list[Query]:
    by_key = {r.key: r for r in residents}
    seen: Counter[tuple] = Counter()
    for r in residents:
        seen[(tone_key(r.full_name), r.sex, r.date_of_birth)] += 1
        seen[(tone_key(r.full_name), r.sex, r.date_of_birth.year)] += 1
    out = []
    for q in queries:
        t = by_key[q.want]
        what = t.date_of_birth.year if q.kind in _DOB_CLASSES else t.date_of_birth
        out.append(replace(q, ambiguous=seen[(tone_key(t.full_name), t.sex, what)] > 1))
    return out


@dataclass(frozen=True)
class ClassResult:
    kind: VariantClass
    queries: int  # decidable queries (ambiguous ones are counted apart)
    first: int
    exact_marks: int  # right person first with NameMatch.EXACT
    ambiguous: int

    @property
    def rate(self) -> float:
        return self.first / self.queries if self.queries else 0.0


def evaluate(store: Store, queries: tuple[Query, ...]) -> tuple[dict[VariantClass, ClassResult], list[float]]:
    """Rank-1 per class, and the latency of each query in milliseconds."""
    counts: dict[VariantClass, list[int]] = {k: [0, 0, 0, 0] for k in VariantClass}
    times: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        found = match(store, name=q.name, dob=q.dob, sex=q.sex, dob_precision=q.dob_precision, limit=5)
        times.append((time.perf_counter() - t0) * 1000)
        c = counts[q.kind]
        if q.ambiguous:
            c[3] += 1
            continue
        c[0] += 1
        if found and found[0].resident.key == q.want:
            c[1] += 1
            c[2] += found[0].name_match is NameMatch.EXACT
    return {k: ClassResult(k, *v) for k, v in counts.items() if v[0] or v[3]}, times


def run(rows: int, per_class: int, *, seed: int = 1, url: str | None = None) -> dict[str, object]:
    """Build the set, load it into a fresh store (``url``; default: in memory) and evaluate."""
    from cardkit.registry.backend import StoreError
    from cardkit.registry.store import open_store

    t0 = time.perf_counter()
    data = build_eval(rows, per_class, seed)
    built = time.perf_counter() - t0
    with open_store(url or "sqlite://") as store:
        if store.count():
            raise StoreError("the evaluation needs an empty store",
                             message_vi="Bộ đánh giá cần một cơ sở dữ liệu trống.")
        for i in range(0, len(data.residents), 50_000):
            store.upsert(data.residents[i:i + 50_000])
        results, times = evaluate(store, data.queries)
    times.sort()
    return {
        "rows": len(data.residents), "queries": len(data.queries), "seed": seed, "build_seconds": round(built, 1),
        "query_ms_p50": round(times[len(times) // 2], 3), "query_ms_p99": round(times[int(0.99 * len(times))], 3),
        "rank1": {k.value: round(r.rate, 4) for k, r in results.items()},
        "decidable": {k.value: r.queries for k, r in results.items()},
        "ambiguous": {k.value: r.ambiguous for k, r in results.items()},
        "rank1_min": round(min(r.rate for r in results.values()), 4),
        "exact_marks_kind_exact": round(results[VariantClass.EXACT_MARKS].exact_marks
                                        / results[VariantClass.EXACT_MARKS].queries, 4),
    }
