# SPDX-License-Identifier: Apache-2.0
"""Compare two Vietnamese full names by their structure: họ (surname), tên đệm (middle), tên (given).

A Vietnamese name is written surname first, middle name(s), given name last ("Nguyễn Thị Thu Hà").
Registries and forms drop middle names ("Nguyễn Hà"), put the given name first as Western forms
ask ("Thu Hà Nguyễn"), and lose or change diacritics. The comparison says which of these it was
(:class:`NameMatch`) and scores 0-100 so that, for one query:

* the same letters *and* marks (tone placement, case, spacing, Unicode form aside) outrank the
  same letters only: "Nguyễn Thu Vân" puts "Nguyễn Thu Vân" (EXACT, 100) above "Nguyễn Thư Vân"
  (FOLDED, 98.4). Within FOLDED, a name written wholly without marks costs 0.3 a word (it was
  typed without diacritics: still the same name, above any SIMILAR one, capped at 97); a word
  without marks inside a marked name 1.5 (it was likely meant so); two different marks 4 (that
  is another name, as far from it as a typo);
* the same words in another order (REORDERED, 96) and a name that lacks middle words the other
  has, surname and given name equal (MIDDLE_DROPPED, 94; 2 less per further missing word), come
  next, above a fuzzy similarity with another name of the same length would usually reach;
* SIMILAR is the letters' similarity (rapidfuzz), less 8 when the surname is the same and the
  given name is 3 or more edits away (OSA distance): another given name is another person, which
  the letters alone score like a typo.

Everything is compared on :func:`normalize.fold` (letters) and :func:`normalize.tone_key`
(letters and marks) per word; rapidfuzz scores the SIMILAR case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from cardkit.registry.normalize import fold, tone_key

EXACT_SCORE, FOLDED_TOP, FOLDED_FLOOR, SIMILAR_CAP = 100.0, 99.9, 90.0, 97.0
REORDERED_TOP, DROPPED_TOP, DROP_COST = 96.0, 94.0, 2.0
MISSING_MARK_COST, PLAIN_WORD_COST, DIFFERENT_MARK_COST = 0.3, 1.5, 4.0
MARKS_FROM = 75.0  # SIMILAR: marks compared from this letter similarity on
GIVEN_DIFFERS_COST = 8.0  # SIMILAR, same surname, given names 3+ edits apart (two typos make 2)


class NameMatch(str, Enum):
    EXACT = "exact"  # same letters and marks
    FOLDED = "folded"  # same letters; marks missing or different
    REORDERED = "reordered"  # same words, another order (given name first)
    MIDDLE_DROPPED = "middle_dropped"  # surname and given name equal, middle words missing on one side
    SIMILAR = "similar"  # none of these: fuzzy similarity of the letters


@dataclass(frozen=True)
class ParsedName:
    """A name as words: ``folded`` drops diacritics, ``marked`` (computed only when needed: most
    candidates differ in letters already) keeps them (tone_key)."""

    text: str
    folded: tuple[str, ...]

    @cached_property
    def marked(self) -> tuple[str, ...]:
        words = tuple(w for w in tone_key(self.text).split(" ") if w)
        # A word of marks alone folds to nothing: then the words don't align, and marks are not compared.
        return words if tuple(fold(w) for w in words) == self.folded else self.folded

    @property
    def surname(self) -> str:
        return self.folded[0] if self.folded else ""

    @property
    def given(self) -> str:
        return self.folded[-1] if self.folded else ""

    @property
    def middle(self) -> tuple[str, ...]:
        return self.folded[1:-1]


@dataclass(frozen=True)
class NameComparison:
    kind: NameMatch
    score: float  # 0-100
    marks_differ: int = 0  # words equal without marks whose marks differ (or are missing)


@lru_cache(maxsize=1 << 15)
def parse_name(text: str) -> ParsedName:
    return ParsedName(text, tuple(fold(text).split()))


def _mark_cost(q: ParsedName, c: ParsedName, pairs: list[tuple[int, int]]) -> tuple[float, int]:
    """Cost of the marks of word pairs equal when folded. Nothing when the marks agree; little
    when one side writes the whole name without marks (typed without diacritics); more for a
    word without marks in a name that has them ("Thu" in "Nguyễn Thu Vân" means Thu, not Thư);
    most when both words carry marks and they differ: that is another name."""
    cost, differ = 0.0, 0
    q_plain, c_plain = q.marked == q.folded, c.marked == c.folded
    for i, j in pairs:
        qw, cw = q.marked[i], c.marked[j]
        if qw == cw:
            continue
        differ += 1
        if q_plain or c_plain:
            cost += MISSING_MARK_COST
        elif qw == q.folded[i] or cw == c.folded[j]:
            cost += PLAIN_WORD_COST
        else:
            cost += DIFFERENT_MARK_COST
    return cost, differ


def _reordered_pairs(q: ParsedName, c: ParsedName) -> list[tuple[int, int]] | None:
    if len(q.folded) != len(c.folded) or sorted(q.folded) != sorted(c.folded):
        return None
    used: set[int] = set()
    pairs = []
    for i, w in enumerate(q.folded):
        # Prefer the candidate word with the same marks (two words may fold alike).
        options = [j for j, v in enumerate(c.folded) if v == w and j not in used]
        j = next((j for j in options if c.marked[j] == q.marked[i]), options[0])
        used.add(j)
        pairs.append((i, j))
    return pairs


def _dropped_pairs(short: ParsedName, long: ParsedName) -> list[tuple[int, int]] | None:
    """Word pairs when ``short`` is ``long`` without some middle words (surname, given equal)."""
    if not 2 <= len(short.folded) < len(long.folded):
        return None
    if short.surname != long.surname or short.given != long.given:
        return None
    pairs, j = [(0, 0)], 1
    for i, w in enumerate(short.middle, start=1):
        while j < len(long.folded) - 1 and long.folded[j] != w:
            j += 1
        if j >= len(long.folded) - 1:
            return None
        pairs.append((i, j))
        j += 1
    pairs.append((len(short.folded) - 1, len(long.folded) - 1))
    return pairs


def compare_names(query: str, candidate: str) -> NameComparison:
    q, c = parse_name(query), parse_name(candidate)
    if q.folded == c.folded:
        if tone_key(query) == tone_key(candidate):
            return NameComparison(NameMatch.EXACT, EXACT_SCORE)
        cost, differ = _mark_cost(q, c, [(i, i) for i in range(len(q.folded))])
        return NameComparison(NameMatch.FOLDED, max(FOLDED_FLOOR, FOLDED_TOP - cost), differ)
    pairs = _reordered_pairs(q, c)
    if pairs is not None:
        cost, differ = _mark_cost(q, c, pairs)
        return NameComparison(NameMatch.REORDERED, REORDERED_TOP - cost, differ)
    dropped = _dropped_pairs(q, c)
    if dropped is None:
        swapped = _dropped_pairs(c, q)  # the candidate lacks a middle word the query has
        dropped = [(i, j) for j, i in swapped] if swapped is not None else None
    if dropped is not None:
        cost, differ = _mark_cost(q, c, dropped)
        missing = abs(len(q.folded) - len(c.folded))
        return NameComparison(NameMatch.MIDDLE_DROPPED, DROPPED_TOP - DROP_COST * (missing - 1) - cost, differ)
    fq, fc = " ".join(q.folded), " ".join(c.folded)
    sim = max(fuzz.ratio(fq, fc), 0.95 * fuzz.token_sort_ratio(fq, fc))
    # Marks break ties between candidates equally similar in letters (near the top only: the
    # marks of the many dissimilar candidates are never looked at).
    cost, differ = 0.0, 0
    if sim >= MARKS_FROM:
        same = [(i, i) for i in range(min(len(q.folded), len(c.folded))) if q.folded[i] == c.folded[i]]
        cost, differ = _mark_cost(q, c, same)
    if q.surname == c.surname and OSA.distance(q.given, c.given) >= 3:
        cost += GIVEN_DIFFERS_COST  # same family, another given name ("Dũng" / "Hoàng"): not a typo
    return NameComparison(NameMatch.SIMILAR, max(0.0, min(SIMILAR_CAP, sim) - cost), differ)
