# SPDX-License-Identifier: Apache-2.0
"""Personalisation faults: cards whose CONTENT is wrong, made on purpose for testing readers.

Each spec, and the outcome a correct reader shows (pinned by tests/sim_issuer/test_faults.py):

=========================  ============================================================================
``cloned``                 the chip's AA private key does not match DG15 (a clone copied the signed
                           files but not the secret key) -> PA VALID, Active Authentication INVALID
``altered-dg:N``           DGn changed after EF.SOD was signed -> PA INVALID (``dg_hash:DGn``)
``untrusted-csca``         EF.SOD signed by a DS of a CSCA that is not in the trust store
                           -> PA UNKNOWN_ISSUER (signature holds, issuer unknown; never VALID)
``expired-ds``             DS certificate expired (2020-12-31) -> PA INVALID (``ds_validity``)
``dg13-unknown-field``     DG13 carries field 17, unknown to readers -> PA VALID; the reader keeps and
                           shows the field (``Dg13.unknown_fields``), never drops it or fails
``com-lists-absent:N``     EF.COM lists DGn but the chip has no DGn (6A82). DGn listed by EF.COM
                           only (e.g. DG11): reported as a finding, not read, VALID (EF.COM is not
                           signed); DGn also listed by EF.SOD (e.g. DG15): dg_hash:DGn INVALID
=========================  ============================================================================

The forgery lab (SOD algorithm downgrades, EF.COM hiding files, BAC-only chips) is in
:mod:`cardkit.sim.forgeries`.

Runtime faults (card pulled, bad MAC, ...) are in :mod:`cardkit.sim.faults`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardkit.errors import InputError
from cardkit.icao.lds.ef import DataGroup
from cardkit.sim import forgeries as f
from cardkit.sim.build import PersonalFault, make_aa_key

if TYPE_CHECKING:
    from cardkit.sim.build import Build
    from cardkit.sim.pki import TestPki

UNKNOWN_DG13_FIELD = 17
UNKNOWN_DG13_TEXT = "Thông tin bổ sung: thử nghiệm"
PERSONAL_FAULTS = ("cloned", "altered-dg", "untrusted-csca", "expired-ds", "dg13-unknown-field",
                   "com-lists-absent", "sod-digest-downgrade", "sod-sig-unknown", "sod-sig-oid-flip",
                   "com-omits", "com-hides", "bac-only")


class Cloned(PersonalFault):
    def after_sign(self, b: Build) -> None:
        seed = None if b.seed is None else f"{b.seed}|{b.person.id_number}|clone".encode()
        b.aa_key = make_aa_key(b.profile, seed)  # same kind of key, not the one in DG15
        b.notes.append("cloned: AA private key does not match DG15")


@dataclass
class AlteredDg(PersonalFault):
    number: int = 13

    def after_sign(self, b: Build) -> None:
        data = b.dgs.get(self.number)
        if data is None:
            raise InputError(f"altered-dg:{self.number}: the card has no DG{self.number}")
        b.dgs[self.number] = _alter(self.number, data)
        b.notes.append(f"altered-dg: DG{self.number} changed after signing")


def _alter(number: int, data: bytes) -> bytes:
    """A plausible forgery: keep the structure, change content (a name letter, an image byte)."""
    if number == 13:
        name = (b"\x02\x01\x02\x0c")  # field 2 (full name): INTEGER 2, then UTF8String
        at = data.find(name)
        if at >= 0:
            pos = at + len(name) + 1  # first byte of the name text
            out = bytearray(data)
            out[pos] = ord("X") if out[pos] != ord("X") else ord("Y")
            return bytes(out)
    if number == 1:
        return data[:-1] + (b"B" if data[-1:] != b"B" else b"C")  # last name character of the MRZ
    out = bytearray(data)
    out[-3] ^= 0x01
    return bytes(out)


class UntrustedCsca(PersonalFault):
    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        b.signer = pki.signer(pki_profile, role="untrusted-ds")


class ExpiredDs(PersonalFault):
    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        b.signer = pki.signer(pki_profile, role="ds-expired")


class Dg13UnknownField(PersonalFault):
    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        b.dg13_extra[UNKNOWN_DG13_FIELD] = UNKNOWN_DG13_TEXT


@dataclass
class ComListsAbsent(PersonalFault):
    number: int = 11

    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        dg = DataGroup.from_number(self.number)
        if dg not in b.com:
            b.com.append(dg)
            b.com.sort(key=lambda g: g.number or 0)

    def after_sign(self, b: Build) -> None:
        b.dgs.pop(self.number, None)


def _number(spec: str, arg: str) -> int:
    try:
        n = int(arg.upper().removeprefix("DG"))
    except ValueError:
        raise InputError(f"bad fault spec {spec!r}: expected a data group number") from None
    if not 1 <= n <= 16:
        raise InputError(f"bad fault spec {spec!r}: data groups are 1..16")
    return n


def parse_fault(spec: str) -> PersonalFault:
    name, _, arg = spec.strip().partition(":")
    if name == "cloned":
        return Cloned(spec)
    if name == "altered-dg":
        return AlteredDg(spec, _number(spec, arg or "13"))
    if name == "untrusted-csca":
        return UntrustedCsca(spec)
    if name == "expired-ds":
        return ExpiredDs(spec)
    if name == "dg13-unknown-field":
        return Dg13UnknownField(spec)
    if name == "com-lists-absent":
        return ComListsAbsent(spec, _number(spec, arg or "11"))
    forgery = _forgery(spec, name, arg)
    if forgery is not None:
        return forgery
    from cardkit.sim.faults import RUNTIME_FAULTS

    if name in RUNTIME_FAULTS:
        raise InputError(f"{spec!r} is a runtime fault: give it to `cardkit sim serve --fault`")
    raise InputError(f"unknown personalisation fault {spec!r} (one of {', '.join(PERSONAL_FAULTS)})")


def _forgery(spec: str, name: str, arg: str) -> PersonalFault | None:
    if name == "sod-digest-downgrade":
        return f.SodDigestDowngrade(spec, arg or "md5")
    if name in ("com-omits", "com-hides"):
        return f.ComOmits(spec, _number(spec, arg or "15"), hide_file=name == "com-hides")
    simple = {"sod-sig-unknown": f.SodSignatureUnknown, "sod-sig-oid-flip": f.SodSignatureOidFlip,
              "bac-only": f.BacOnly}
    return simple[name](spec) if name in simple else None


def parse_faults(specs: list[str]) -> list[PersonalFault]:
    return [parse_fault(s) for s in specs]
