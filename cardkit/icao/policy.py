# SPDX-License-Identifier: Apache-2.0
"""The verification policy: which checks must be VALID for a card to be called VALID.

One small frozen object, passed down to passive, chip and active authentication, so the rule is
written once. :data:`DESK_POLICY` is the default at the desk:

- every data group EF.SOD lists must be read and hash-verified (EF.COM, unsigned, is advisory);
  only DG3/DG4 answering ``6982`` (EAC, ICAO 9303-11 §7) are accepted as "protected", unless
  Terminal Authentication opened them; ``terminal_authentication`` is required once TA was tried;
- Chip Authentication is required when the signed DG14 offers a CA key, Active Authentication
  when EF.SOD lists DG15 or DG14 carries an ActiveAuthenticationInfo. ``ca_replaces_aa`` is off:
  both are required when both are offered. A clone must then defeat both, they cost well under a
  second together, and the CCCD offers both (docs/CCCD.md); a desk that knows its cards' AA to be
  unreliable may switch it on;
- BAC on a chip whose signed DG14 advertises PACE is an ``access_downgrade`` (INVALID);
- SHA-1 is accepted only for documents signed before :attr:`sha1_cutoff` (flagged); the default
  cut-off, 2021-01-01, is when CCCD chip issuance began: no genuine Vietnamese chip card was
  signed with SHA-1, while older foreign documents that were (e.g. a 2020 Russian passport)
  still verify, flagged;
- revocation is not required (no CRL loaded is NOT_CHECKED, which the card cannot influence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cardkit.icao.lds.ef import DataGroup

EAC_PROTECTED = frozenset({3, 4})  # DG3 fingerprints, DG4 iris: readable only after Terminal Authentication

# Check names (Verdict.check), one place.
SOD_STRUCTURE = "sod_structure"
SOD_CONTENT = "sod_content"
SOD_SIGNATURE = "sod_signature"
DS_VALIDITY = "ds_validity"
DS_CHAIN = "ds_chain"
DS_REVOCATION = "ds_revocation"
ISSUING_STATE = "issuing_state"
PASSIVE_AUTHENTICATION = "passive_authentication"
CHIP_AUTHENTICATION = "chip_authentication"
ACTIVE_AUTHENTICATION = "active_authentication"
ACCESS_DOWNGRADE = "access_downgrade"
TERMINAL_AUTHENTICATION = "terminal_authentication"  # EAC TA, when the desk has a terminal chain
PA_CHECKS = (SOD_CONTENT, SOD_SIGNATURE, DS_VALIDITY, DS_CHAIN, ISSUING_STATE)


def dg_hash_check(number: int) -> str:
    return f"dg_hash:{_dg_name(number)}"


def dg_protected_check(number: int) -> str:
    return f"dg_protected:{_dg_name(number)}"


def _dg_name(number: int) -> str:
    return DataGroup.from_number(number).name if 1 <= number <= 16 else f"DG{number}"


@dataclass(frozen=True)
class VerificationPolicy:
    """What a VALID card must have passed. The defaults are the desk policy (module docstring)."""

    name: str = "desk"
    sha1_cutoff: date | None = date(2021, 1, 1)  # None: SHA-1 never accepted
    require_chip_authentication: bool = True
    require_active_authentication: bool = True
    ca_replaces_aa: bool = False
    forbid_access_downgrade: bool = True
    require_revocation: bool = False

    def required(self, *, listed: frozenset[int], protected: frozenset[int] = frozenset(),
                 ca_offered: bool = False, aa_offered: bool = False, live: bool = False,
                 ta_attempted: bool = False) -> tuple[str, ...]:
        """The checks that must all be present and VALID.

        ``listed``: data groups EF.SOD lists; ``protected``: those of them the chip refused as
        EAC-protected (DG3/DG4 only); ``ca_offered``/``aa_offered``: what the chip's signed data
        advertises; ``live``: the card was read now (chip and access checks apply);
        ``ta_attempted``: a terminal chain was configured and the chip announces Terminal
        Authentication (then it must pass).
        """
        req = list(PA_CHECKS)
        req += [dg_hash_check(n) for n in sorted(listed) if n not in (protected & EAC_PROTECTED)]
        if self.require_revocation:
            req.append(DS_REVOCATION)
        if live:
            if ca_offered and self.require_chip_authentication:
                req.append(CHIP_AUTHENTICATION)
            if aa_offered and self.require_active_authentication and not (self.ca_replaces_aa and ca_offered):
                req.append(ACTIVE_AUTHENTICATION)
            if self.forbid_access_downgrade:
                req.append(ACCESS_DOWNGRADE)
            if ta_attempted:
                req.append(TERMINAL_AUTHENTICATION)
        return tuple(req)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "sha1_cutoff": self.sha1_cutoff.isoformat() if self.sha1_cutoff else None,
                "require_chip_authentication": self.require_chip_authentication,
                "require_active_authentication": self.require_active_authentication,
                "ca_replaces_aa": self.ca_replaces_aa, "forbid_access_downgrade": self.forbid_access_downgrade,
                "require_revocation": self.require_revocation}


DESK_POLICY = VerificationPolicy()
