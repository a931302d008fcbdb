# SPDX-License-Identifier: Apache-2.0
"""A card being personalised (:class:`Build`) and the hook a personalisation fault has on it.

:mod:`cardkit.sim.issuer` fills a :class:`Build`; the faults (:mod:`cardkit.sim.personal_faults`,
the forgery lab in :mod:`cardkit.sim.forgeries`) change it before or after EF.SOD is signed. Both
sides import this module and neither imports the other's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cardkit.icao.lds.ef import DataGroup
from cardkit.person import PersonData
from cardkit.sim.pki import Signer, derive_ec_key, derive_rsa_key

if TYPE_CHECKING:
    from cardkit.sim.pki import TestPki


class CaDomainForm(str, Enum):
    """How DG14 writes the CA key's brainpoolP256r1 parameters (a profile option)."""

    EXPLICIT = "explicit"  # X9.62 ECParameters, as real passports do (and JMRTD needs)
    STANDARDIZED = "standardized"  # standardized domain parameters, ID 13 (9303-11 §9.5.1)


@dataclass
class Build:
    """Everything personalisation decides, exposed to the personalisation faults."""

    person: PersonData
    profile: str
    seed: int | None
    signer: Signer
    aa_key: object
    ca_key: ec.EllipticCurvePrivateKey
    mrz: list[str]
    dgs: dict[int, bytes] = field(default_factory=dict)  # DG number -> file
    com: list[DataGroup] = field(default_factory=list)
    dg13_extra: dict[int, str | bytes] = field(default_factory=dict)
    sod: bytes = b""
    notes: list[str] = field(default_factory=list)
    pace: bool = True  # EF.CardAccess and a PACEInfo in DG14 (False: a BAC-only chip)
    ca_domain: CaDomainForm = CaDomainForm.EXPLICIT
    ta_version: int = 1  # DG14's TerminalAuthenticationInfo: 1 (EAC 1, the CCCD's) or 2 (EAC 2)


def make_aa_key(profile: str, seed: bytes | None) -> object:
    if profile == "cccd2021":
        return derive_rsa_key(2048, seed) if seed else rsa.generate_private_key(65537, 2048)
    return derive_ec_key(ec.BrainpoolP256R1(), seed) if seed else ec.generate_private_key(ec.BrainpoolP256R1())


def make_ca_key(seed: bytes | None) -> ec.EllipticCurvePrivateKey:
    return derive_ec_key(ec.BrainpoolP256R1(), seed) if seed else ec.generate_private_key(ec.BrainpoolP256R1())


@dataclass
class PersonalFault:
    spec: str

    def before_build(self, b: Build, pki: TestPki, pki_profile: str) -> None:
        """Change what goes into the data groups or who signs (before EF.SOD is built)."""

    def after_sign(self, b: Build) -> None:
        """Change the card after EF.SOD is signed."""
