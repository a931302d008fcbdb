# SPDX-License-Identifier: Apache-2.0
"""The simulator's EAC PKI (BSI TR-03110-3 §C): the CVCA a served card trusts and a matching
test terminal chain (CVCA -> DV -> inspection system) with the terminal's key.

The keys derive from a seed (SHA-256 of ``seed|eac|role`` as the secret scalar), so
``cardkit sim serve --eac`` and ``cardkit sim make-terminal`` agree without sharing files; another
seed gives a CVCA of the same name with other keys: a chain the card does not trust. TEST keys
only: a real CVCA's key never leaves its HSM.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import ecdsa

from cardkit.icao.cvc import CertRole, CvCertificate
from cardkit.sim.cv_issuer import EacPki, issue

EAC_SEED = 2026
CVCA, DV, TERMINAL = "VNCVCA00001", "VNDV00001", "VNIS00001"
CHAIN_FILES = ("CVCA.cvcert", "DV.cvcert", "IS.cvcert")  # chain order, as `cardkit read --terminal-cert`
KEY_FILE = "IS.key.pem"  # PKCS#8 PEM, as `cardkit read --terminal-key`


def _key(seed: int, role: str) -> ecdsa.SigningKey:
    curve = ecdsa.curves.BRAINPOOLP256r1
    digest = hashlib.sha256(f"{seed}|eac|{role}".encode()).digest()
    return ecdsa.SigningKey.from_secret_exponent(1 + int.from_bytes(digest, "big") % (curve.order - 1), curve=curve)


def sim_eac_pki(seed: int = EAC_SEED, *, terminal_expiration: date = date(2030, 1, 1),
                terminal_authorization: int = 0x03) -> EacPki:
    """CVCA (2026-01-01, the card's first "today") -> domestic DV -> id-IS terminal reading DG3
    and DG4 (relative authorization bits 0 and 1) unless told otherwise."""
    cvca_key, dv_key = _key(seed, "cvca"), _key(seed, "dv")
    cvca = issue(car=CVCA, chr_=CVCA, role=CertRole.CVCA, authorization=0x03, signer=None, key=cvca_key)
    dv = issue(car=CVCA, chr_=DV, role=CertRole.DV_DOMESTIC, authorization=0x03, signer=cvca_key, key=dv_key)
    term = issue(car=DV, chr_=TERMINAL, role=CertRole.TERMINAL, authorization=terminal_authorization,
                 signer=dv_key, key=_key(seed, "terminal"), expiration=terminal_expiration)
    return EacPki(cvca, dv, term)


def trust_point(seed: int = EAC_SEED) -> CvCertificate:
    """The CVCA certificate a card served with ``--eac`` trusts."""
    return sim_eac_pki(seed).cvca.certificate


def write_terminal(out: Path, pki: EacPki) -> list[Path]:
    """The chain (public) and the terminal's private key (0600, in a 0700 folder)."""
    from cardkit.home import private_dir, write_private

    folder = private_dir(out)
    paths = []
    for name, issued in zip(CHAIN_FILES, (pki.cvca, pki.dv, pki.terminal), strict=False):
        path = folder / name
        path.write_bytes(issued.certificate.encoded)
        paths.append(path)
    pem: bytes = pki.terminal.key.to_pem(format="pkcs8")
    paths.append(write_private(folder / KEY_FILE, pem))
    return paths
