# SPDX-License-Identifier: Apache-2.0
"""The bundled synthetic residents (cardkit/data/persons.json) and the demo card.

Every person comes in two card profiles: ``cccd2021`` (2021 CCCD) and ``cancuoc2024`` (2024
Căn cước); they differ in issue date, hence expiry, and in the card layout the issuer builds.
Expiry follows the renewal ages (Law 59/2014/QH13 art. 21, Law 26/2023/QH15 art. 21): the card
expires on the birthday at 14, 25, 40 or 60, except that a card issued within the two years
before one of those ages runs to the next; past the last, it has no expiry ("Không thời hạn").
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cardkit.errors import InputError
from cardkit.home import cardkit_home
from cardkit.idnumber import province_codes
from cardkit.person import PersonData, Sex
from cardkit.sim.image import CardImage
from cardkit.sim.issuer import ISSUER_VERSION, NO_EXPIRY_TEXT, PROFILES, personalise
from cardkit.sim.pki import TestPki

RENEWAL_AGES = (14, 25, 40, 60)
DEMO_SEED = 1


def _birthday(dob: date, age: int) -> date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February
        return date(dob.year + age, 2, 28)


def expiry_for(dob: date, issued: date) -> date | None:
    """The card's expiry, or None when it has none (issued within 2 years of 60, or later)."""
    for age in RENEWAL_AGES:
        due = _birthday(dob, age)
        if issued < _birthday(dob, age - 2):
            return due
    return None


@dataclass(frozen=True)
class Person:
    key: str  # stable, e.g. "nguyen-van-an"
    record: dict  # as in persons.json

    @property
    def name(self) -> str:
        return self.record["full_name"]

    @property
    def id_number(self) -> str:
        return self.record["id_number"]

    @property
    def province(self) -> str | None:
        """Province of birth registration, from the ID prefix."""
        return province_codes().get(self.id_number[:3])

    def issue_date(self, profile: str = "cccd2021") -> date:
        if profile not in PROFILES:
            raise InputError(f"unknown card profile {profile!r}")
        return date.fromisoformat(self.record["issue"][profile])

    def data(self, profile: str = "cccd2021") -> PersonData:
        """The person as their card of ``profile`` states them."""
        r = self.record
        dob = date.fromisoformat(r["date_of_birth"])
        issued = self.issue_date(profile)
        expiry = expiry_for(dob, issued)
        return PersonData(
            id_number=r["id_number"], old_id_number=r.get("old_id_number"), full_name=r["full_name"],
            date_of_birth=dob, sex=Sex(r["sex"]), nationality=r["nationality"], ethnicity=r["ethnicity"],
            religion=r["religion"], place_of_origin=r["place_of_origin"], residence=r["residence"],
            personal_features=r.get("personal_features"), issue_date=issued, expiry_date=expiry,
            expiry_text=None if expiry else NO_EXPIRY_TEXT, father_name=r.get("father_name"),
            mother_name=r.get("mother_name"), spouse_name=r.get("spouse_name"),
        )

    def summary(self, profile: str = "cccd2021") -> dict[str, object]:
        p = self.data(profile)
        return {"key": self.key, "name": self.name, "profile": profile, "id": self.id_number,
                "dob": p.date_of_birth.isoformat() if p.date_of_birth else None,
                "sex": p.sex.value if p.sex else None, "province": self.province,
                "issue": p.issue_date.isoformat() if p.issue_date else None,
                "expiry": p.expiry_date.isoformat() if p.expiry_date else p.expiry_text,
                "can": self.id_number[-6:], "old_id": p.old_id_number, "married": p.spouse_name is not None}


@lru_cache(maxsize=1)
def _load() -> tuple[Person, ...]:
    text = resources.files("cardkit.data").joinpath("persons.json").read_text("utf-8")
    return tuple(Person(r["key"], r) for r in json.loads(text)["persons"])


def persons() -> list[Person]:
    return list(_load())


def person(key: str) -> Person:
    for p in _load():
        if p.key == key:
            return p
    raise InputError(f"no bundled person {key!r} (see `cardkit sim persons`)",
                     message_vi="Không có người mẫu với khóa này.")


def load_person_file(path: str | Path, profile: str = "cccd2021") -> PersonData:
    """A person from a JSON file: a persons.json-style record, ``PersonData.to_dict()`` output,
    or a card folder's card.json (its ``person``)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read person file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object describing one person")
    if "issue" in data and "key" in data:
        return Person(data["key"], data).data(profile)
    if isinstance(data.get("person"), dict):  # a card.json written by `cardkit sim make`
        data = data["person"]
    try:
        return PersonData.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a person record ({exc})") from None




# --- the demo card --------------------------------------------------------------------------

_LOCK = threading.Lock()
_CARDS: dict[tuple[str, str], CardImage] = {}


def cache_dir() -> Path:
    return cardkit_home() / "sim-cache"


def builtin_card(key: str | None = None, *, profile: str = "cccd2021", faults: tuple[str, ...] = ()) -> CardImage:
    """The demo card of a bundled person (default: the first), with the PKI kept in
    ``$CARDKIT_HOME/sim-pki``. Built once, then loaded from ``$CARDKIT_HOME/sim-cache``.
    ``faults``: personalisation faults (:mod:`cardkit.sim.personal_faults`); such cards are
    built fresh each time, never cached."""
    who = person(key) if key else _load()[0]
    if faults:
        return personalise(who.data(profile), profile=profile, pki=TestPki(), seed=DEMO_SEED, faults=tuple(faults))
    with _LOCK:
        cached = _CARDS.get((who.key, profile))
        if cached is None:
            folder = cache_dir() / f"{who.key}-{profile}"
            try:
                cached = CardImage.load(folder) if (folder / "card.json").is_file() else None
            except (InputError, ValueError):
                cached = None
            stale = cached is None or cached.meta.get("issuer_version") != ISSUER_VERSION
            if stale or cached.meta.get("person") != who.data(profile).to_dict():
                cached = personalise(who.data(profile), profile=profile, pki=TestPki(), seed=DEMO_SEED)
                cached.save(folder)
            _CARDS[(who.key, profile)] = cached
    return CardImage(dict(cached.app_files), dict(cached.mf_files), json.loads(json.dumps(cached.meta)))
