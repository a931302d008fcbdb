# SPDX-License-Identifier: Apache-2.0
"""Find the registry record for a card holder: exact ID, then old CMND, then ranked candidates.

Only an equal 12-digit ID or an equal CMND is an *exact* match. Everything else is a ranked
candidate with a score (0-100), the reasons behind it and typed verdicts on the name
(:class:`namematch.NameMatch`: exact marks, folded, reordered, middle name dropped, similar) and
the date of birth (:class:`dobmatch.DobMatch`), for the operator to confirm: a fuzzy match never
claims to be exact. Candidates are fetched through indexes, never by scanning the registry:
people born on the DOB, its day/month swap or 1 January of its year (where year-only records
sit), screened on the folded name read from the index; and people with the same folded name
born the same year or on the same day and month. They are ranked here (name 60%, DOB 30%, sex
10%): a DOB that states only the year (precision YEAR or the 01/01 placeholder) counts as "year
known", and a name equal with its marks outranks one equal only without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from rapidfuzz import fuzz, process

from cardkit.person import DobPrecision, Sex
from cardkit.registry.dobmatch import DOB_REASONS, DOB_SCORES, DobMatch, compare_dobs, year_only
from cardkit.registry.namematch import NameComparison, NameMatch, compare_names
from cardkit.registry.normalize import fold, swapped_dob
from cardkit.registry.row import Resident
from cardkit.registry.store import Store

NAME_WEIGHT, DOB_WEIGHT, SEX_WEIGHT = 0.6, 0.3, 0.1
MIN_NAME_SIMILARITY = 60.0
YEAR_BLOCK_SIMILARITY = 80.0  # screen of the 1 January rows of the query's year


class Method(str, Enum):
    ID_NUMBER = "id_number"
    OLD_ID_NUMBER = "old_id_number"
    FUZZY = "fuzzy"


_NAME_REASONS = {
    NameMatch.EXACT: "name identical",
    NameMatch.FOLDED: "name identical ignoring diacritics",
    NameMatch.REORDERED: "same name words in another order",
    NameMatch.MIDDLE_DROPPED: "same surname and given name, a middle name missing",
}


@dataclass(frozen=True)
class Candidate:
    resident: Resident
    score: float
    reasons: tuple[str, ...]
    method: Method
    name_match: NameMatch | None = None  # fuzzy candidates: how the names compare
    dob_match: DobMatch | None = None  # fuzzy candidates: how the dates of birth compare

    @property
    def exact(self) -> bool:
        return self.method is not Method.FUZZY

    def to_dict(self) -> dict[str, object]:
        r = self.resident
        return {
            "id_number": r.id_number,
            "old_id_number": r.old_id_number,
            "full_name": r.full_name,
            "date_of_birth": r.dob_text,
            "dob_precision": r.dob_precision.value,
            "sex": r.sex.value if r.sex else None,
            "score": round(self.score, 1),
            "reasons": list(self.reasons),
            "method": self.method.value,
            "name_match": self.name_match.value if self.name_match else None,
            "dob_match": self.dob_match.value if self.dob_match else None,
            "exact": self.exact,
        }


def _name_reason(cmp: NameComparison) -> str:
    return _NAME_REASONS.get(cmp.kind) or f"name similar ({cmp.score:.0f}%)"


def score_candidate(r: Resident, name: str, dob: date | None, sex: Sex | None,
                    dob_precision: DobPrecision = DobPrecision.EXACT,
                    names: NameComparison | None = None) -> Candidate:
    names = names or compare_names(name, r.full_name)
    dobs = compare_dobs(dob, dob_precision, r.date_of_birth, r.dob_precision)
    reasons = [_name_reason(names)]
    if dobs is not DobMatch.UNKNOWN:
        reasons.append(DOB_REASONS[dobs])
    sex_score = 0.5
    if sex and r.sex:
        sex_score = 1.0 if sex == r.sex else 0.0
        reasons.append("sex equal" if sex == r.sex else "sex differs")
    score = NAME_WEIGHT * names.score + 100 * (DOB_WEIGHT * DOB_SCORES[dobs] + SEX_WEIGHT * sex_score)
    return Candidate(r, score, tuple(reasons), Method.FUZZY, names.kind, dobs)


def _screen(store: Store, folded: str, dobs: list[date], cutoff: float) -> set[str]:
    """Keys of people born on ``dobs`` whose folded name (read from the index) is similar enough."""
    names = dict(store.dob_name_keys(dobs))
    keep = {k for _, _, k in process.extract(folded, names, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff)}
    keep.update(k for _, _, k in process.extract(folded, names, scorer=fuzz.token_sort_ratio, limit=None,
                                                 score_cutoff=cutoff / 0.95 - 1e-9))
    return keep


def fuzzy_candidates(
    store: Store, name: str, dob: date | None = None, sex: Sex | None = None, *, limit: int = 10,
    dob_precision: DobPrecision = DobPrecision.EXACT,
) -> list[Candidate]:
    folded = fold(name)
    pool: dict[str, Resident] = {}
    if dob is not None:
        # Hundreds of people share a DOB in a large registry: screen them on the folded name read
        # from the index, and load in full only those that pass the same name filter as below.
        # 1 January of the year (year-only and placeholder rows: a weaker DOB agreement) only
        # for names close enough to rank: the screen there is stricter.
        jan1 = date(dob.year, 1, 1)
        swapped = None if year_only(dob, dob_precision) else swapped_dob(dob)
        dobs = [d for d in (dob, swapped) if d is not None]
        keep = _screen(store, folded, dobs, MIN_NAME_SIMILARITY)
        if jan1 not in dobs:
            keep |= _screen(store, folded, [jan1], YEAR_BLOCK_SIMILARITY)
        pool.update((r.key, r) for r in store.get_many(keep))
    pool.update((r.key, r) for r in store.by_name_key(folded, dob))
    ranked = []
    for r in pool.values():
        names = compare_names(name, r.full_name)
        if names.kind is NameMatch.SIMILAR and names.score < MIN_NAME_SIMILARITY:
            continue
        ranked.append(score_candidate(r, name, dob, sex, dob_precision, names))
    ranked.sort(key=lambda c: (-c.score, c.resident.key))
    return ranked[:limit]


def match(
    store: Store,
    *,
    id_number: str | None = None,
    cmnd: str | None = None,
    name: str | None = None,
    dob: date | None = None,
    sex: Sex | None = None,
    limit: int = 10,
    dob_precision: DobPrecision = DobPrecision.EXACT,
) -> list[Candidate]:
    """Best first. Exact ID wins outright; then CMND; then fuzzy candidates from name + DOB + sex."""
    if id_number:
        r = store.get(id_number)
        if r is not None:
            return [Candidate(r, 100.0, ("12-digit ID number equal",), Method.ID_NUMBER)]
    if cmnd:
        found = store.by_cmnd(cmnd)
        if found:
            out = []
            for r in found:
                reasons = ["old CMND number equal"]
                if id_number and r.id_number and r.id_number != id_number:
                    reasons.append("record holds a different 12-digit ID")
                out.append(Candidate(r, 100.0 if len(found) == 1 else 95.0, tuple(reasons), Method.OLD_ID_NUMBER))
            return out[:limit]
    if name:
        return fuzzy_candidates(store, name, dob, sex, limit=limit, dob_precision=dob_precision)
    return []
