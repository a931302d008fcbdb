# SPDX-License-Identifier: Apache-2.0
"""Personalise a simulated CCCD / Căn cước chip from a person record (docs/CCCD.md "The chip").

Files: EF.COM (DG1, DG2, DG3, DG13, DG14, DG15), DG1 (TD1 MRZ in the CCCD layout), DG2 (JPEG
face, ISO/IEC 19794-5), DG3 (a synthetic finger image, sim.fingerprint, readable only after
Terminal Authentication), DG13, DG14
(Chip Authentication, brainpoolP256r1), DG15 (Active Authentication key), EF.SOD (SHA-256 of
every DG, signed by the test PKI's document signer) and EF.CardAccess (the CCCD bytes).

Profiles: ``cccd2021`` (2021 CCCD: AA with RSA-2048, QR of 7 fields) and ``cancuoc2024``
(2024 Căn cước: AA with ECDSA brainpoolP256r1 announced by an ActiveAuthenticationInfo in
DG14, QR of 11 fields). Which AA key real cards carry is [U] in CCCD.md: both are covered.

MRZ expiry of "Không thời hạn" cards [U]: real cards' MRZ for holders without expiry has not
been confirmed. We print ``991231`` (:data:`NO_EXPIRY_MRZ`, a valid date, so BAC keys derive
the usual way) and keep the DG13 text "Không thời hạn"; pass ``no_expiry_mrz="<<<<<<"`` to
model the ICAO filler form instead.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from datetime import UTC, date, datetime, time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cardkit.errors import InputError
from cardkit.icao.domain import standardized
from cardkit.icao.keys import check_digit
from cardkit.icao.lds.com import build_com
from cardkit.icao.lds.dg1 import build_dg1
from cardkit.icao.lds.dg2 import build_dg2
from cardkit.icao.lds.dg13 import build_dg13
from cardkit.icao.lds.dg14 import build_dg14
from cardkit.icao.lds.dg15 import build_dg15
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PaceInfo,
    TerminalAuthenticationInfo,
    build_security_infos,
)
from cardkit.icao.lds.sod import build_sod, hash_data_groups
from cardkit.icao.oids import Oid
from cardkit.person import PersonData
from cardkit.sim.build import Build, CaDomainForm, make_aa_key, make_ca_key
from cardkit.sim.fingerprint import build_dg3
from cardkit.sim.image import CardImage
from cardkit.sim.personal_faults import parse_faults
from cardkit.sim.pki import TestPki

PROFILES = ("cccd2021", "cancuoc2024")
ISSUER_VERSION = 3  # bump when the card layout changes: cached demo cards are rebuilt
NO_EXPIRY_MRZ = "991231"
NO_EXPIRY_TEXT = "Không thời hạn"
# EF.CardAccess as seen in Vietnamese readers (docs/CCCD.md): TA v1, CA ECDH AES-128 v1,
# PACE ECDH-GM AES-128 v2 with brainpoolP256r1 (parameter ID 13).
CARD_ACCESS = bytes.fromhex(
    "3134300D060804007F0007020202020101300F060A04007F00070202030202020101"
    "3012060A04007F0007020204020202010202010D")
CA_KEY_ID = None  # one CA key: no keyId (9303-11 §9.2.5)
AA_SIGNATURE_ALGORITHM = Oid.ECDSA_PLAIN_SHA256  # BSI TR-03111 §5.2.1


# --- MRZ ------------------------------------------------------------------------------------

def ascii_name(text: str) -> str:
    """Vietnamese name to MRZ letters: strip diacritics (NFD marks), Đ -> D (ICAO 9303-3 §6)."""
    t = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    t = "".join(c for c in t if not unicodedata.combining(c)).upper()
    return "".join(c if "A" <= c <= "Z" else " " for c in t)


def mrz_name(full_name: str, width: int = 30) -> str:
    """Family name (first word) << middle and given names, '<' between words (9303-5 §4.2.2)."""
    words = ascii_name(full_name).split()
    if not words:
        return "<" * width
    text = words[0] + "<<" + "<".join(words[1:])
    return (text + "<" * width)[:width]


def mrz_lines(person: PersonData, *, no_expiry_mrz: str = NO_EXPIRY_MRZ) -> list[str]:
    """The TD1 MRZ of a CCCD (docs/CCCD.md "Access keys"), check digits per ICAO 9303-3 §4.9."""
    pid = person.id_number
    if not pid or len(pid) != 12 or not pid.isdigit() or person.date_of_birth is None:
        raise InputError("a card needs a 12-digit ID number and a date of birth")
    doc = pid[-9:]
    l1 = f"IDVNM{doc}{check_digit(doc)}{pid}<<{check_digit(pid)}"
    dob = person.date_of_birth.strftime("%y%m%d")
    exp = person.expiry_date.strftime("%y%m%d") if person.expiry_date else no_expiry_mrz
    sex = person.sex.value if person.sex else "<"
    l2 = f"{dob}{check_digit(dob)}{sex}{exp}{check_digit(exp)}VNM" + "<" * 11
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return [l1, l2, mrz_name(person.full_name or "")]


# --- keys -----------------------------------------------------------------------------------

def _seed_bytes(seed: int | None, person: PersonData, what: str) -> bytes | None:
    if seed is None:
        return None
    return f"{seed}|{person.id_number}|{what}".encode()


def ca_private_value(image: CardImage) -> int | None:
    """SK_IC of the card's Chip Authentication key (for ``CaCardConfig(private_key=...)``)."""
    pem = image.meta.get("ca_private_key_pem")
    if not pem:
        return None
    key = serialization.load_pem_private_key(pem.encode("ascii"), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.private_numbers().private_value


def private_pem(key: object) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,  # type: ignore
                             serialization.NoEncryption()).decode("ascii")


# --- data groups ----------------------------------------------------------------------------

def face_jpeg(photo: bytes | None, person: PersonData, seed: int | None) -> bytes:
    """The given photo as JPEG (converted when it is another format), else a generated face."""
    if photo is None:
        from cardkit.sim.face import generate_face

        age = None
        if person.date_of_birth and person.issue_date:
            age = person.issue_date.year - person.date_of_birth.year
        face_seed = None if seed is None else int.from_bytes(hashlib.sha256(
            f"{seed}|{person.id_number}|face".encode()).digest()[:8], "big")
        return generate_face(face_seed, sex=person.sex.value if person.sex else None, age=age)
    if photo[:3] == b"\xff\xd8\xff":
        return photo
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(photo)).convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"photo cannot be read: {exc}") from None
    img.thumbnail((480, 640))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def build_dg14_for(ca_key: ec.EllipticCurvePrivateKey, aa_key: object,
                   ca_domain: CaDomainForm = CaDomainForm.EXPLICIT, *, pace: bool = True, ta_version: int = 1) -> bytes:
    """DG14 SecurityInfos (9303-11 §9.2): TA, CA (ECDH AES-128), the CA public key on
    brainpoolP256r1 (explicit parameters by default, or standardized ID 13), PACE as in
    EF.CardAccess, AA info for ECDSA AA keys."""
    point = ca_key.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
    infos: list = [
        TerminalAuthenticationInfo(Oid.TA, ta_version),
        ChipAuthenticationInfo(Oid.CA_ECDH_AES_CBC_CMAC_128, 1, CA_KEY_ID),
        ChipAuthenticationPublicKeyInfo(Oid.PK_ECDH, standardized(13), point, CA_KEY_ID,
                                        explicit=ca_domain is CaDomainForm.EXPLICIT),
    ]
    if pace:  # 9303-11 §9.2.7: the PACEInfos of EF.CardAccess, signed here
        infos.append(PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13))
    if isinstance(aa_key, ec.EllipticCurvePrivateKey):
        infos.append(ActiveAuthenticationInfo(Oid.AA, 1, AA_SIGNATURE_ALGORITHM))
    return build_dg14(build_security_infos(infos))


def build_data_groups(b: Build, photo: bytes | None) -> None:
    b.dgs[1] = build_dg1(b.mrz)
    b.dgs[2] = build_dg2(face_jpeg(photo, b.person, b.seed))
    b.dgs[3] = build_dg3(f"{b.seed}|{b.person.id_number}|dg3".encode())  # read only after TA
    b.dgs[13] = build_dg13(b.person, b.dg13_extra or None)
    b.dgs[14] = build_dg14_for(b.ca_key, b.aa_key, b.ca_domain, pace=b.pace, ta_version=b.ta_version)
    b.dgs[15] = build_dg15(b.aa_key.public_key())  # type: ignore[attr-defined]


def sign(b: Build) -> None:
    """EF.SOD over every DG present (9303-10 §4.6.2), signed by the document signer."""
    issued = b.person.issue_date or date(2021, 1, 1)
    when = datetime.combine(issued, time(1, 30), tzinfo=UTC)
    b.sod = build_sod(hash_data_groups(b.dgs, "sha256"), b.signer.certificate, b.signer.sign,
                      hash_algorithm="sha256", pss=b.signer.pss, signing_time=when)


# --- the card -------------------------------------------------------------------------------

def qr_text(person: PersonData, profile: str) -> str:
    """The printed QR payload: the QR helper's builder when present, else the CCCD.md layout."""
    try:
        from cardkit.qr.payload import build_payload
    except ImportError:
        return _qr_fallback(person, profile)
    return build_payload(person, profile=profile)


def _qr_fallback(p: PersonData, profile: str) -> str:
    d = lambda v: v.strftime("%d%m%Y") if v else ""  # noqa: E731
    fields = [p.id_number or "", p.old_id_number or "", p.full_name or "", d(p.date_of_birth),
              p.sex.vi if p.sex else "", p.residence or "", d(p.issue_date)]
    if profile == "cancuoc2024":
        fields += ["", "", "", ""]
    return "|".join(fields)


def personalise(person: PersonData, *, profile: str = "cccd2021", pki: TestPki | None = None,
                seed: int | None = None, photo: bytes | None = None, faults: tuple[str, ...] | list[str] = (),
                pki_profile: str = "ecdsa", no_expiry_mrz: str = NO_EXPIRY_MRZ,
                ca_domain: CaDomainForm | str = CaDomainForm.EXPLICIT, ta_version: int = 1) -> CardImage:
    """A card image for ``person``. ``seed`` makes keys and face reproducible (None: fresh).
    ``ca_domain``: DG14's CA key with explicit EC parameters (default) or standardized ID 13.
    ``ta_version``: the Terminal Authentication version DG14 announces (1 as the CCCD, or 2).

    ``faults``: personalisation fault specs (:mod:`cardkit.sim.personal_faults`).
    """

    if profile not in PROFILES:
        raise InputError(f"unknown card profile {profile!r} (one of {', '.join(PROFILES)})")
    fault_objs = parse_faults(list(faults))
    pki = pki or TestPki()
    b = Build(person, profile, seed, pki.signer(pki_profile),
              make_aa_key(profile, _seed_bytes(seed, person, f"aa|{profile}")),
              make_ca_key(_seed_bytes(seed, person, "ca")),
              mrz_lines(person, no_expiry_mrz=no_expiry_mrz))
    try:
        b.ca_domain = CaDomainForm(ca_domain)
    except ValueError:
        raise InputError(f"unknown CA domain form {ca_domain!r} (explicit or standardized)") from None
    if ta_version not in (1, 2):
        raise InputError(f"Terminal Authentication version {ta_version} does not exist (1 or 2)")
    b.ta_version = ta_version
    b.com = [DataGroup.DG1, DataGroup.DG2, DataGroup.DG3, DataGroup.DG13, DataGroup.DG14, DataGroup.DG15]
    for f in fault_objs:
        f.before_build(b, pki, pki_profile)
    build_data_groups(b, photo)
    sign(b)
    for f in fault_objs:
        f.after_sign(b)
    return _image(b, fault_objs)


def _image(b: Build, faults: list) -> CardImage:
    p = b.person
    app = {DataGroup.from_number(n).fid: data for n, data in b.dgs.items()}
    app[DataGroup.COM.fid] = build_com(b.com)
    app[DataGroup.SOD.fid] = b.sod
    meta = {
        "id": p.id_number,
        "dob": p.date_of_birth.isoformat() if p.date_of_birth else None,
        "expiry": p.expiry_date.isoformat() if p.expiry_date else None,
        "expiry_text": p.expiry_text if p.expiry_date is None else None,
        "can": p.id_number[-6:] if p.id_number else None,
        "mrz": b.mrz,
        "profile": b.profile,
        "person": p.to_dict(),
        "qr": qr_text(p, b.profile),
        "aa_private_key_pem": private_pem(b.aa_key),
        "aa_algorithm": "rsa" if isinstance(b.aa_key, rsa.RSAPrivateKey) else "ecdsa",
        "aa_signature_algorithm": None if isinstance(b.aa_key, rsa.RSAPrivateKey) else AA_SIGNATURE_ALGORITHM.value,
        "ca_private_key_pem": private_pem(b.ca_key),
        "pace": {"protocol": Oid.PACE_ECDH_GM_AES_CBC_CMAC_128.value, "parameter_id": 13,
                 "passwords": ["can", "mrz"]},
        "faults": [f.spec for f in faults],
        "fault_notes": b.notes,
        "seed": b.seed,
        "issuer_version": ISSUER_VERSION,
    }
    mf = {DataGroup.CARD_ACCESS.fid: CARD_ACCESS} if b.pace else {}
    return CardImage(app_files=app, mf_files=mf, meta=meta)
