# SPDX-License-Identifier: Apache-2.0
"""Trust folders (cardkit.trustdir) over the pure in-memory TrustStore."""

import errno
import pathlib
import stat

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from cardkit.errors import FileAccessError
from cardkit.icao.pa.trust import ImportKind, TrustStore
from cardkit.trustdir import default_trust_dir, import_trust_files, load_trust_store

from .conftest import Pki, der


def pki_subject(pki):
    return asn1_x509.Certificate.load(der(pki.csca)).subject


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_is_built_from_bytes_alone(pki):
    pem = pki.csca.public_bytes(serialization.Encoding.PEM)
    store = TrustStore.from_bytes([("b.crl", pki.crl()), ("a.pem", pem), ("junk.cer", b"not a certificate")])
    assert [(a.source, a.subject) for a in store.anchors] == [("a.pem", "Common Name: Test CSCA VN, Country: VN")]
    assert [src for _, src in store.crls] == ["b.crl"]
    result = store.add_bytes(der(pki.csca), "again.cer")
    assert (result.file, result.kind, result.added, result.reason) == ("again.cer", ImportKind.CERTIFICATE, 0,
                                                                       "already present")


def test_rejected_bytes_change_nothing(pki):
    store = TrustStore()
    result = store.add_bytes(b"\x30\x03\x02\x01", "broken.der")
    assert result.kind is ImportKind.REJECTED and result.added == 0 and store.anchors == [] and store.crls == []
    good = pki.csca.public_bytes(serialization.Encoding.PEM)
    bad = b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"
    result = store.add_bytes(good + bad, "bundle.pem")  # the first item parses, the second does not
    assert (result.kind, result.added) == (ImportKind.REJECTED, 0)
    assert store.anchors == [] and store.csca_for(pki_subject(pki)) == []
    assert store.add_bytes(good, "vn.pem").added == 1  # not left marked as seen


def test_a_folder_loads_its_trust_files_only(tmp_path, pki):
    (tmp_path / "vn.cer").write_bytes(der(pki.csca))
    (tmp_path / "vn.crl").write_bytes(pki.crl())
    (tmp_path / "notes.txt").write_bytes(der(Pki(country="FR").csca))  # not a trust suffix: ignored
    (tmp_path / "folder.cer").mkdir()  # a folder with a trust suffix: ignored
    store = load_trust_store(tmp_path)
    assert [a.source for a in store.anchors] == ["vn.cer"] and [s for _, s in store.crls] == ["vn.crl"]


def test_one_file_missing_folder_and_default(tmp_path, pki, monkeypatch):
    (tmp_path / "vn.cer").write_bytes(der(pki.csca))
    assert [a.source for a in load_trust_store(tmp_path / "vn.cer").anchors] == ["vn.cer"]
    assert load_trust_store(tmp_path / "absent").anchors == []
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path / "home"))
    assert default_trust_dir() == tmp_path / "home" / "trust"
    assert load_trust_store().anchors == []


def test_a_trust_file_that_cannot_be_read_is_a_typed_error_not_a_smaller_store(tmp_path, pki, monkeypatch):
    (tmp_path / "a.cer").write_bytes(der(pki.csca))
    (tmp_path / "b.cer").write_bytes(der(Pki(country="FR").csca))
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "b.cer":  # as root, chmod cannot make a file unreadable: the OSError is injected
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    with pytest.raises(FileAccessError) as exc:
        load_trust_store(tmp_path)
    assert str(exc.value) == f"cannot read {tmp_path / 'b.cer'}: permission denied"


def test_import_saves_the_checked_bytes_private_and_only_what_was_added(tmp_path, pki):
    src = tmp_path / "in"
    src.mkdir()
    (src / "vn.cer").write_bytes(der(pki.csca))
    (src / "junk.cer").write_bytes(b"junk")
    folder = tmp_path / "store" / "trust"
    store, results = import_trust_files(folder, [src / "vn.cer", src / "junk.cer", src / "missing.cer"])
    assert [(r.file, r.kind, r.added) for r in results] == [
        (str(src / "vn.cer"), ImportKind.CERTIFICATE, 1), (str(src / "junk.cer"), ImportKind.REJECTED, 0),
        (str(src / "missing.cer"), ImportKind.REJECTED, 0)]
    assert results[2].reason == "No such file or directory"
    assert sorted(p.name for p in folder.iterdir()) == ["vn.cer"]
    assert (folder / "vn.cer").read_bytes() == der(pki.csca)
    assert _mode(folder) == 0o700 and _mode(folder / "vn.cer") == 0o600
    assert [a.source for a in store.anchors] == ["vn.cer"]
    again_store, [again] = import_trust_files(folder, [src / "vn.cer"])
    assert (again.added, again.reason) == (0, "already present") and len(again_store.anchors) == 1
    assert [a.source for a in load_trust_store(folder).anchors] == ["vn.cer"]
