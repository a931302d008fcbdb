# SPDX-License-Identifier: Apache-2.0
"""Find the registry record for a card holder: exact ID, then old CMND, then ranked candidates.

Only an equal 12-digit ID or an equal CMND is an *exact* match. Everything else is a ranked
candidate with a score (0-100) and the reasons behind it, for the operator to confirm: a fuzzy
match never claims to be exact. Candidates are fetched through indexes (same DOB or its
day/month swap; same folded name with a DOB one digit away), never by scanning the registry,
then ranked here with rapidfuzz on folded names, so diacritics, tone placement, Đ/D, case,
spacing and Unicode form do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from cardkit.person import Sex
from cardkit.registry.models import Resident
from cardkit.registry.normalize import fold, swapped_dob, tone_key
from cardkit.registry.store import Store

NAME_WEIGHT, DOB_WEIGHT, SEX_WEIGHT = 0.6, 0.3, 0.1
MIN_NAME_SIMILARITY = 60.0


@dataclass(frozen=True)
class Candidate:
    resident: Resident
    score: float
    reasons: tuple[str, ...]
    method: str  # "id_number", "old_id_number" or "fuzzy"

    @property
    def exact(self) -> bool:
        return self.method != "fuzzy"

    def to_dict(self) -> dict[str, object]:
        r = self.resident
        return {
            "id_number": r.id_number,
            "old_id_number": r.old_id_number,
            "full_name": r.full_name,
            "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
            "sex": r.sex.value if r.sex else None,
            "score": round(self.score, 1),
            "reasons": list(self.reasons),
            "method": self.method,
            "exact": self.exact,
        }


def name_similarity(a: str, b: str) -> float:
    """0-100 on folded names; a different order of the same words ("Văn An Nguyễn") costs a little."""
    fa, fb = fold(a), fold(b)
    return max(fuzz.ratio(fa, fb), 0.95 * fuzz.token_sort_ratio(fa, fb))


def _one_digit_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def score_candidate(r: Resident, name: str, dob: date | None, sex: Sex | None) -> tuple[float, list[str]]:
    reasons: list[str] = []
    sim = name_similarity(name, r.full_name)
    if tone_key(name) == tone_key(r.full_name):
        reasons.append("name identical")
    elif fold(name) == fold(r.full_name):
        reasons.append("name identical ignoring diacritics")
    else:
        reasons.append(f"name similar ({sim:.0f}%)")
    dob_score = 0.5  # unknown on either side: neutral
    if dob and r.date_of_birth:
        if dob == r.date_of_birth:
            dob_score = 1.0
            reasons.append("date of birth equal")
        elif swapped_dob(dob) == r.date_of_birth:
            dob_score = 0.85
            reasons.append("date of birth with day and month swapped")
        elif _one_digit_apart(dob.isoformat(), r.date_of_birth.isoformat()):
            dob_score = 0.7
            reasons.append("date of birth one digit apart")
        else:
            dob_score = 0.0
            reasons.append("date of birth differs")
    sex_score = 0.5
    if sex and r.sex:
        sex_score = 1.0 if sex == r.sex else 0.0
        reasons.append("sex equal" if sex == r.sex else "sex differs")
    return NAME_WEIGHT * sim + 100 * (DOB_WEIGHT * dob_score + SEX_WEIGHT * sex_score), reasons


def fuzzy_candidates(
    store: Store, name: str, dob: date | None = None, sex: Sex | None = None, *, limit: int = 10
) -> list[Candidate]:
    folded = fold(name)
    pool: dict[str, Resident] = {}
    if dob is not None:
        dobs = [dob] + ([swapped_dob(dob)] if swapped_dob(dob) else [])
        # Hundreds of people share a DOB in a large registry: screen them on the folded name read
        # from the index, and load in full only those that pass the same name filter as below
        # (name_key is fold(full_name), so the screen drops nothing the filter would keep).
        names = dict(store.dob_name_keys(dobs))
        keep = {k for _, _, k in process.extract(folded, names, scorer=fuzz.ratio, limit=None,
                                                 score_cutoff=MIN_NAME_SIMILARITY)}
        keep.update(k for _, _, k in process.extract(folded, names, scorer=fuzz.token_sort_ratio, limit=None,
                                                     score_cutoff=MIN_NAME_SIMILARITY / 0.95 - 1e-9))
        pool.update((r.key, r) for r in store.get_many(keep))
    pool.update((r.key, r) for r in store.by_name_key(folded, dob))
    ranked = []
    for r in pool.values():
        if fuzz.ratio(folded, r.name_key) < MIN_NAME_SIMILARITY and name_similarity(name, r.full_name) < MIN_NAME_SIMILARITY:
            continue
        score, reasons = score_candidate(r, name, dob, sex)
        ranked.append(Candidate(r, score, tuple(reasons), "fuzzy"))
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
) -> list[Candidate]:
    """Best first. Exact ID wins outright; then CMND; then fuzzy candidates from name + DOB + sex."""
    if id_number:
        r = store.get(id_number)
        if r is not None:
            return [Candidate(r, 100.0, ("12-digit ID number equal",), "id_number")]
    if cmnd:
        found = store.by_cmnd(cmnd)
        if found:
            out = []
            for r in found:
                reasons = ["old CMND number equal"]
                if id_number and r.id_number and r.id_number != id_number:
                    reasons.append("record holds a different 12-digit ID")
                out.append(Candidate(r, 100.0 if len(found) == 1 else 95.0, tuple(reasons), "old_id_number"))
            return out[:limit]
    if name:
        return fuzzy_candidates(store, name, dob, sex, limit=limit)
    return []
