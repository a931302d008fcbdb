# SPDX-License-Identifier: Apache-2.0
"""The forgery lab: cards made the way an attacker makes them, for testing readers.

Each is a personalisation fault (:mod:`cardkit.sim.personal_faults`) with the outcome a correct
reader shows (pinned by tests/sim_issuer/test_forgeries.py and, through ``cardkit read``, by
tests/e2e/test_fault_outcomes.py):

=============================  ==================================================================
``sod-digest-downgrade[:ALG]``  DG13 holder replaced, LDSSecurityObject rebuilt with the new hash,
                                the genuine signed attributes and signature kept, the digest
                                algorithm (SignerInfo and SignedData) set to ALG (default md5, or
                                any OID) -> sod_content INVALID "algorithm not allowed: digest md5"
``sod-sig-unknown``             DG13 replaced, LDSSecurityObject and messageDigest recomputed, the
                                signature algorithm set to an unknown OID -> sod_signature INVALID
                                "algorithm not allowed: signature algorithm 1.2.840.10045.4.3.99"
``sod-sig-oid-flip``            one byte of the genuine signature-algorithm OID flipped -> sod_signature
                                INVALID "algorithm not allowed: signature algorithm ..."
``com-omits:N``                 EF.COM leaves DGn out, the chip still has it -> read anyway (EF.SOD
                                lists it), VALID, reported as a finding
``com-hides:N``                 a clone: EF.COM leaves DGn out and the chip has no DGn, while EF.SOD
                                lists it -> dg_hash:DGn INVALID; for DG14/DG15 CA/AA INVALID too
``bac-only``                    a genuine BAC-only chip: no EF.CardAccess, no PACEInfo in DG14 ->
                                BAC, access_downgrade VALID, overall VALID
=============================  ==================================================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from asn1crypto import cms, core

from cardkit.icao.lds.dg13 import build_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.sod import TAG_SOD, build_lds_security_object, hash_data_groups
from cardkit.sim.build import PersonalFault
from cardkit.tlv import encode_tlv, parse_single

if TYPE_CHECKING:
    from cardkit.sim.build import Build
    from cardkit.sim.pki import TestPki

FORGED_NAME = "Nguyễn Văn Giả"
FORGED_DOB = date(1970, 7, 7)
UNKNOWN_SIGNATURE_OID = "1.2.840.10045.4.3.99"


def _load(sod: bytes) -> cms.ContentInfo:
    return cms.ContentInfo.load(parse_single(sod, expected_tag=TAG_SOD).value)


def _dump(ci: cms.ContentInfo) -> bytes:
    return encode_tlv(TAG_SOD, ci.dump(force=True))


def _replace_holder(b: Build, ci: cms.ContentInfo) -> bytes:
    """The forger's DG13 and the LDSSecurityObject that lists its hash; returns the new eContent."""
    forged = replace(b.person, full_name=FORGED_NAME, date_of_birth=FORGED_DOB)
    b.dgs[13] = build_dg13(forged, b.dg13_extra or None)
    econtent = build_lds_security_object(hash_data_groups(b.dgs, "sha256"), "sha256")
    sd = ci["content"]
    sd["encap_content_info"] = {"content_type": sd["encap_content_info"]["content_type"].native,
                                "content": core.ParsableOctetString(econtent)}
    return econtent


@dataclass
class SodDigestDowngrade(PersonalFault):
    algorithm: str = "md5"

    def after_sign(self, b: Build) -> None:
        ci = _load(b.sod)
        _replace_holder(b, ci)
        sd = ci["content"]
        alg = {"algorithm": self.algorithm}
        sd["digest_algorithms"] = [alg]
        sd["signer_infos"][0]["digest_algorithm"] = alg
        b.sod = _dump(ci)
        b.notes.append(f"sod-digest-downgrade: DG13 forged, digest algorithm set to {self.algorithm}")


class SodSignatureUnknown(PersonalFault):
    def after_sign(self, b: Build) -> None:
        ci = _load(b.sod)
        econtent = _replace_holder(b, ci)
        si = ci["content"]["signer_infos"][0]
        attrs = si["signed_attrs"]
        for attr in attrs:
            if attr["type"].native == "message_digest":
                attr["values"] = [hashlib.sha256(econtent).digest()]
        si["signed_attrs"] = attrs
        si["signature_algorithm"] = {"algorithm": UNKNOWN_SIGNATURE_OID}
        b.sod = _dump(ci)
        b.notes.append("sod-sig-unknown: DG13 forged, signature algorithm set to an unknown OID")


class SodSignatureOidFlip(PersonalFault):
    def after_sign(self, b: Build) -> None:
        ci = _load(b.sod)
        si = ci["content"]["signer_infos"][0]
        oid = bytearray(core.ObjectIdentifier(si["signature_algorithm"]["algorithm"].dotted).contents)
        oid[3] ^= 0x01  # inside the arc after 1.2.840: an OID no standard assigns
        si["signature_algorithm"] = {"algorithm": core.ObjectIdentifier.load(encode_tlv(0x06, bytes(oid))).dotted}
        b.sod = _dump(ci)
        b.notes.append("sod-sig-oid-flip: one byte of the signature algorithm OID flipped")


@dataclass
class ComOmits(PersonalFault):
    number: int = 15
    hide_file: bool = False

    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        b.com = [dg for dg in b.com if dg is not DataGroup.from_number(self.number)]

    def after_sign(self, b: Build) -> None:
        if self.hide_file:
            b.dgs.pop(self.number, None)


class BacOnly(PersonalFault):
    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        b.pace = False
