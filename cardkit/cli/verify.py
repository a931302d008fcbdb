# SPDX-License-Identifier: Apache-2.0
"""`cardkit verify DIR`: passive authentication of a folder of EF files, offline.

Also `cardkit bench verify`: host CPU time to parse and verify one card image folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import pem, x509

from cardkit.cli.outcome import EXIT, load_trust
from cardkit.errors import CardkitError, FileAccessError, InputError, VerificationError
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.parsers import has_parser, parse_file
from cardkit.icao.lds.signed_data import ASN1_ERRORS
from cardkit.icao.pa.passive import PaResult, passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.trustdir import default_trust_dir, load_trust_store

CERT_SUFFIXES = (".cer", ".der", ".pem", ".crt")
EPILOG = """exit status: 0 = VALID (signature, trusted CSCA chain and data group hashes all check out);
1 = INVALID (something was altered, expired, revoked, hidden or signed with an algorithm that is
not allowed); 3 = UNKNOWN_ISSUER (the signature holds but its CSCA is not in the trust store) or
NOT_CHECKED; 2 = error (read failed: a file or the --trust store cannot be read; never 1).
Certificates found beside the files are tried as CSCA / DS candidates for this run only and are
reported as such: a CSCA found there is never treated as trusted."""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="verify a folder of EF files (passive authentication)",
                              description=__doc__.splitlines()[0], epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", type=Path, nargs="?", help="folder with EF_COM.bin, EF_SOD.bin, DG1.bin, ...")
    p.add_argument("--receipt", type=Path, metavar="FILE",
                   help="re-check a check-in's verification receipt (JSON) offline instead of a folder")
    p.add_argument("--trust", type=Path, default=None, help=f"trust store directory or file (default {default_trust_dir()})")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--now", type=datetime.fromisoformat, default=None, help="verify as of this ISO date/time")
    p.set_defaults(func=run_verify)


def register_bench(bench_subparsers: argparse._SubParsersAction) -> None:
    p = bench_subparsers.add_parser("verify", help="CPU time to parse and verify one card image folder")
    p.add_argument("dir", type=Path, nargs="?", default=None, help="card folder (default: a conformance sample)")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_bench)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # a folder named like a file, no permission, ...: read failed (exit 2)
        raise FileAccessError.of(exc, path) from None


def read_folder(folder: Path) -> tuple[dict[DataGroup, bytes], list[tuple[x509.Certificate, str]]]:
    if not folder.is_dir():
        raise InputError(f"{folder} is not a directory", message_vi=f"{folder} không phải là thư mục.")
    files: dict[DataGroup, bytes] = {}
    certs: list[tuple[x509.Certificate, str]] = []
    try:
        paths = sorted(folder.iterdir())
    except OSError as exc:
        raise FileAccessError.of(exc, folder) from None
    for path in paths:
        dg = DataGroup.from_filename(path.name)
        if dg is not None:
            files[dg] = _read(path)
        elif path.suffix.lower() in CERT_SUFFIXES:
            data = _read(path)
            try:
                der = pem.unarmor(data)[2] if pem.detect(data) else data
                cert = x509.Certificate.load(der, strict=True)
                _ = cert.subject.native  # force asn1crypto to parse the name now
                certs.append((cert, path.name))
            except ASN1_ERRORS:
                continue
    return files, certs


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.ca) or cert.self_signed != "no"
    except ASN1_ERRORS:
        return False


def verify_folder(folder: Path, trust: TrustStore, now: datetime | None = None) -> tuple[PaResult, dict, dict | None]:
    files, certs = read_folder(folder)
    summary: dict[str, dict] = {}
    parsed: dict[DataGroup, object] = {}
    for dg, data in files.items():
        entry: dict[str, object] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if has_parser(dg):
            try:
                parsed[dg] = parse_file(dg, data)
                entry["parsed"] = True
            except (CardkitError, ImportError) as exc:
                entry.update(parsed=False, error=str(exc))
        summary[dg.filename] = entry
    if DataGroup.SOD not in files:
        raise InputError(f"no {DataGroup.SOD.filename} in {folder}")
    store = trust.with_candidates([(c, f"{name} (beside the files)") for c, name in certs if _is_ca(c)])
    dgs = {dg.number: data for dg, data in files.items() if dg.number is not None}
    # A folder cannot say how the chip answered: DG3/DG4 missing from it are taken as EAC-protected
    # (unreadable without Terminal Authentication); any other listed group missing is INVALID.
    result = passive_authentication(files[DataGroup.SOD], dgs, store, now=now,
                                    ds_candidates=tuple(c for c, _ in certs if not _is_ca(c)),
                                    protected=(3, 4), absent={n: "not in the folder" for n in range(1, 17)})
    return result, summary, _holder(parsed)


def _holder(parsed: dict[DataGroup, object]) -> dict | None:
    for dg in (DataGroup.DG13, DataGroup.DG1):
        if dg in parsed:
            return {"source": dg.name, **parsed[dg].to_person().to_dict()}  # type: ignore[attr-defined]
    return None


def run_verify(args: argparse.Namespace) -> int:
    if args.receipt is not None:
        from cardkit.cli.receipt import run_receipt

        return run_receipt(args)
    if args.dir is None:
        raise InputError("give a folder of EF files or --receipt FILE", message_vi="Cần thư mục tệp EF hoặc --receipt.")
    trust = load_trust(args.trust)
    now = args.now.replace(tzinfo=args.now.tzinfo or UTC) if args.now else None
    result, files, holder = verify_folder(args.dir, trust, now)
    if args.json:
        out = {"overall": result.overall.value, "verdicts": [v.to_dict() for v in result.verdicts],
               "files": files, "holder": holder, "ds": result.ds.__dict__ if result.ds else None,
               "csca": result.csca.__dict__ if result.csca else None, "csca_source": result.csca_source,
               "findings": [f.to_dict() for f in result.findings], "required": list(result.required),
               "trust_store": str(args.trust or default_trust_dir())}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for v in result.verdicts:
            print(f"{v.status.value:<15} {v.check:<18} {v.reason}")
        for f in result.findings:
            print(f"{'note':<15} {f.code.value:<18} {f.reason}")
        print(f"overall: {result.overall.value}")
    return EXIT[result.overall]


def run_bench(args: argparse.Namespace) -> int:
    """Host CPU (process time) per verification, median of ``--runs``.

    Default: the built-in CCCD card image: parse every file, passive authentication against the
    simulator's test CSCA (explicit brainpoolP512r1), and Active Authentication verification of a
    challenge answered once by the simulated chip. With DIR: parse + PA of that folder.
    """
    work, label = (_folder_work(args.dir) if args.dir else _cccd_work())
    times = []
    for _ in range(max(1, args.runs)):
        start = time.process_time()
        work()
        times.append((time.process_time() - start) * 1000)
    report = {"what": label, "runs": len(times), "median_ms": round(statistics.median(times), 2),
              "first_ms": round(times[0], 2), "max_ms": round(max(times), 2), "target_ms": 30}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{label}: median {report['median_ms']} ms host CPU over {len(times)} runs "
              f"(first {report['first_ms']} ms, target <= 30 ms)")
    return 0


def _folder_work(folder: Path):
    trust = TrustStore()
    return (lambda: verify_folder(folder, trust)), f"parse + passive authentication of {folder.name}"


def _cccd_work():
    import tempfile

    from cardkit.apdu import ResponseApdu
    from cardkit.icao.aa import internal_authenticate, verify_response
    from cardkit.icao.lds.parsers import has_parser, parse_file
    from cardkit.icao.lds.security_infos import parse_security_infos
    from cardkit.sim.factory import make_card
    from cardkit.sim.pki import TestPki
    from cardkit.sim.population import builtin_card

    image = builtin_card()
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        trust = load_trust_store(tmp)
    files = {dg: image.app_files[dg.fid] for dg in DataGroup if not dg.in_mf and dg.fid in image.app_files}
    dgs = {dg.number: data for dg, data in files.items() if dg.number is not None}
    card = make_card(image)
    card.state.access = True  # answer INTERNAL AUTHENTICATE once, outside the timing
    challenge = bytes(range(8))
    signature = ResponseApdu.decode(card.transmit(internal_authenticate(challenge).encode())).data

    def work() -> None:
        for dg, data in files.items():
            if has_parser(dg):
                parse_file(dg, data)
        result = passive_authentication(files[DataGroup.SOD], dgs, trust)
        aa_info = parse_security_infos(dgs[14]).aa_infos
        verdict = verify_response(dgs[15], challenge, signature, aa_info=aa_info[0] if aa_info else None)
        if result.overall.value != "VALID" or verdict.status.value != "VALID":
            raise VerificationError("the benchmark card did not verify")

    return work, "parse + PA + AA of the built-in CCCD card image"
