# SPDX-License-Identifier: Apache-2.0
"""EAC Terminal Authentication inside a real read (icao.ta_checks via read_and_verify), against
the simulated chip enforcing it (sim.factory ``eac=``): DG3 read and hash-verified after TA, every
refusal an INVALID ``terminal_authentication`` with its exact reason, nothing "protected"."""

import tempfile
from dataclasses import replace
from datetime import date

import pytest

from cardkit.icao.cvc import CertRole
from cardkit.icao.keys import cccd_can, cccd_mrz_key
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.policy import DESK_POLICY
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.icao.ta import TerminalCredentials
from cardkit.sim.cv_issuer import issue
from cardkit.sim.eac import sim_eac_pki, trust_point
from cardkit.sim.factory import make_card
from cardkit.sim.issuer import personalise
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card, person
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

V1 = builtin_card(profile="cancuoc2024")  # DG14 announces TA version 1, as the CCCD
V2 = personalise(person("tran-thi-ngoc-anh").data("cancuoc2024"),
                 profile="cancuoc2024", pki=TestPki(), seed=5, ta_version=2)
CHIP_DATE = "2026-01-01"
ALLOW_BAC = replace(DESK_POLICY, forbid_access_downgrade=False)


@pytest.fixture(scope="module")
def trust():
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


def creds(pki=None, key=None) -> TerminalCredentials:
    pki = pki or sim_eac_pki()
    chain = (pki.cvca.certificate, pki.dv.certificate, pki.terminal.certificate)
    return TerminalCredentials(chain, key or pki.terminal.terminal_key())


def read(image, trust, terminal, *, bac=False, eac=None, faults=()):
    card = make_card(image, list(faults), eac=eac or trust_point())
    m = image.meta
    access = (AccessSpec(mrz_key=cccd_mrz_key(m["id"], m["dob"], m["expiry"]), policy="bac") if bac
              else AccessSpec(can=cccd_can(m["id"])))
    return read_and_verify(InProcessConnection(card), access, trust=trust, terminal=terminal,
                           policy=ALLOW_BAC if bac else DESK_POLICY)


def statuses(result) -> dict[str, tuple[str, str]]:
    return {v.check: (v.status.value, v.reason) for v in result.verdicts}


@pytest.mark.parametrize("image, bac, version", [(V1, False, 1), (V2, False, 2), (V1, True, 1)],
                         ids=["pace-ca-ta1", "pace-ta2-ca", "bac-ca-ta1"])
def test_a_trusted_terminal_reads_dg3_and_it_verifies_like_any_data_group(trust, image, bac, version):
    result = read(image, trust, creds(), bac=bac)
    got = statuses(result)
    assert result.overall.value == "VALID", got
    assert got["terminal_authentication"] == (
        "VALID", f"the chip accepted terminal VNIS00001 (TA v{version}); its authorization opens DG3, DG4")
    assert got["dg_hash:DG3"] == ("VALID", "sha256 hash matches EF.SOD")
    assert got["chip_authentication"][0] == "VALID"
    assert "dg_protected:DG3" not in got
    assert {"terminal_authentication", "dg_hash:DG3", "chip_authentication"} <= set(result.required)
    assert result.read.files[DataGroup.DG3] == image.app_files[DataGroup.DG3.fid]
    assert result.read.files[DataGroup.DG3][:2] == b"\x63\x82" and b"FIR\x00010\x00" in result.read.files[DataGroup.DG3]


def test_without_a_terminal_nothing_changes_dg3_stays_protected(trust):
    result = read(V2, trust, None)
    got = statuses(result)
    assert result.overall.value == "VALID"
    assert "terminal_authentication" not in got and "terminal_authentication" not in result.required
    assert got["dg_protected:DG3"] == ("NOT_CHECKED", "DG3 is protected by Extended Access Control (6982): "
                                                      "not read, not needed here")
    assert DataGroup.DG3 not in result.read.files


def _failed(result, reason: str) -> None:
    got = statuses(result)
    assert result.overall.value == "INVALID"
    assert got["terminal_authentication"] == ("INVALID", reason)
    assert DataGroup.DG3 not in result.read.files
    assert got["chip_authentication"][0] == "VALID"  # CA keeps its own check


@pytest.mark.parametrize("image", [V1, V2], ids=["ta1", "ta2"])
def test_a_wrong_terminal_key_is_invalid(trust, image):
    other = issue(car="X", chr_="X", role=CertRole.TERMINAL, authorization=3, signer=None).terminal_key()
    _failed(read(image, trust, creds(key=other)),
            "the chip rejected the terminal's signature (TA EXTERNAL AUTHENTICATE 6300): the terminal key is "
            "not the key of certificate VNIS00001")


def test_a_chain_from_another_cvca_of_the_same_name_is_invalid(trust):
    _failed(read(V2, trust, creds(sim_eac_pki(seed=99))),
            "the chip rejected VNDV00001 (TA PSO:Verify Certificate 6300): it is not signed by the chip's trust "
            "point VNCVCA00001: the chain is not rooted in the chip's CVCA")


def test_a_chain_whose_root_the_chip_does_not_know_is_invalid(trust):
    other = issue(car="VNCVCA00002", chr_="VNCVCA00002", role=CertRole.CVCA, authorization=3, signer=None)
    _failed(read(V2, trust, creds(), eac=other.certificate),
            "the chip rejected VNDV00001 (TA MSE:Set DST 6A88): it does not know VNCVCA00001, the issuer of "
            "VNDV00001: the chain is not rooted in the chip's CVCA")


def test_a_terminal_certificate_expired_by_the_chips_date_is_invalid(trust):
    _failed(read(V1, trust, creds(sim_eac_pki(terminal_expiration=date(2025, 12, 31)))),
            f"the chip rejected VNIS00001 (TA PSO:Verify Certificate 6300): it expired on 2025-12-31, before the "
            f"chip's current date ({CHIP_DATE} or later)")


def test_ta_version_2_over_bac_is_invalid_not_skipped(trust):
    result = read(V2, trust, creds(), bac=True)
    assert result.overall.value == "INVALID"
    assert statuses(result)["terminal_authentication"] == (
        "INVALID", "the chip announces Terminal Authentication version 2, which needs a PACE session; this one "
                   "used BAC")


def test_an_authorization_for_dg4_only_leaves_dg3_protected(trust):
    result = read(V1, trust, creds(sim_eac_pki(terminal_authorization=0x02)))
    got = statuses(result)
    assert result.overall.value == "VALID"
    assert got["terminal_authentication"] == (
        "VALID", "the chip accepted terminal VNIS00001 (TA v1); its authorization opens DG4")
    assert got["dg_protected:DG3"][0] == "NOT_CHECKED"


class RefuseExternalAuthenticate:
    """Answers EXTERNAL AUTHENTICATE under secure messaging with ``sw`` (before the TA handler)."""

    def __init__(self, sw: int) -> None:
        self.sw = sw

    def handle(self, card, cmd):
        from cardkit.apdu import ResponseApdu

        return ResponseApdu(b"", self.sw) if cmd.ins == 0x82 and card.sm is not None else None


@pytest.mark.parametrize("sw, meaning", [(0x6982, "security status not satisfied"),
                                         (0x6985, "conditions of use not satisfied")])
def test_external_authenticate_refused_is_invalid_with_the_status_word(trust, sw, meaning):
    card = make_card(V2, eac=trust_point())
    card.handlers.insert(0, RefuseExternalAuthenticate(sw))
    result = read_and_verify(InProcessConnection(card), AccessSpec(can=cccd_can(V2.meta["id"])), trust=trust,
                             terminal=creds())
    _failed(result, f"the chip refused TA EXTERNAL AUTHENTICATE ({sw:04X}): {meaning}")


def test_an_unknown_ta_version_is_invalid_unsupported():
    from cardkit.icao.ta_checks import TaFailure, unsupported_version, version_of

    assert version_of(3) is None
    out = unsupported_version(3)
    assert (out.failure, out.verdict.status.value, out.verdict.reason) == (
        TaFailure.UNSUPPORTED, "INVALID",
        "the chip announces Terminal Authentication version 3, which cardkit does not run (TR-03110 versions 1 and 2)")


def test_a_chip_hiding_dg14_fails_terminal_authentication_too(trust):
    result = read(V1, trust, creds(), faults=["refuse:DG14"])
    got = statuses(result)
    assert result.overall.value == "INVALID"
    assert got["terminal_authentication"] == ("INVALID", "Terminal Authentication could not run: absent (6A82)")
    assert got["chip_authentication"] == ("INVALID", "possible clone: EF.SOD lists DG14 but the chip did not "
                                                     "return it (absent (6A82))")


def test_cardkit_read_refuses_half_or_unreadable_terminal_options_before_touching_a_reader(tmp_path, capsys):
    from cardkit.cli import main
    from cardkit.sim.eac import write_terminal

    paths = write_terminal(tmp_path / "term", sim_eac_pki())
    assert main(["read", "--can", "123456", "--terminal-key", str(paths[3])]) == 2
    assert capsys.readouterr().err.strip() == (
        "cardkit: error: --terminal-cert and --terminal-key go together | Cần cả chứng chỉ và khóa của thiết bị "
        "đọc (--terminal-cert, --terminal-key).")
    assert main(["read", "--can", "123456", "--terminal-cert", str(paths[3]), "--terminal-key", str(paths[3])]) == 2
    assert capsys.readouterr().err.startswith("cardkit: error: terminal certificate is not a CV certificate: ")
    assert oct((tmp_path / "term" / "IS.key.pem").stat().st_mode & 0o777) == "0o600"
