# SPDX-License-Identifier: Apache-2.0
"""`cardkit qr decode|watch|bench`: read the printed QR of a CCCD from images or a camera."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime

from cardkit.errors import CardkitError

NO_CODE = "no QR code found | Không tìm thấy mã QR trong ảnh"


def _message(exc: CardkitError) -> str:
    return f"{exc} | {exc.message_vi}"


def register(subparsers) -> None:
    qr = subparsers.add_parser("qr", help="read the printed QR code of a CCCD / Căn cước card")
    sub = qr.add_subparsers(dest="qr_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("decode", help="decode QR codes in image files")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--decoder", choices=("auto", "zxing", "zbar"), default="auto",
                   help="auto: cardkit's pipeline (zxing-cpp + recoveries + zbar)")
    p.add_argument("--json", action="store_true", help="a JSON list, one entry per image")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("watch", help="print each QR code newly shown to a camera, video or image folder")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, metavar="N", help="camera index (default 0)")
    src.add_argument("--video", metavar="FILE")
    src.add_argument("--images", metavar="DIR")
    p.add_argument("--width", type=int)
    p.add_argument("--height", type=int)
    p.add_argument("--fps", type=float)
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("bench", help="decode rate and speed per distortion class (benchmarks/qr_dataset.py)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--limit", type=int, help="at most this many frames per class")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)


def _decode_one(path: str, decode) -> dict:
    from cardkit.qr.payload import QrPayloadError, parse_payload, printable_text
    from cardkit.qr.scanner import read_image

    entry: dict[str, object] = {"path": path}
    try:
        codes = decode(read_image(path))
    except CardkitError as exc:
        entry["error"] = _message(exc)
        return entry
    if not codes:
        entry["error"] = NO_CODE
        return entry
    code = codes[0]
    entry["text"] = printable_text(code.text)  # printed to a terminal: no control characters
    try:
        entry["fields"] = parse_payload(code.raw).to_dict()
    except QrPayloadError as exc:
        entry["error"] = _message(exc)
    return entry


def _decoder(name: str):
    if name == "auto":
        from cardkit.qr.pipeline import QrPipeline

        pipeline = QrPipeline()
        return lambda img: list(pipeline.decode(img).codes)
    from cardkit.qr.decoders import make_decoder

    return make_decoder(name).decode


def cmd_decode(args: argparse.Namespace) -> int:
    decode = _decoder(args.decoder)
    entries = [_decode_one(p, decode) for p in args.images]
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        for e in entries:
            if "text" in e:
                print(f"{e['path']}: {e['text']}")
            if "error" in e:
                print(f"{e['path']}: error: {e['error']}", file=sys.stderr)
    return 1 if any("error" in e for e in entries) else 0


def _source(args: argparse.Namespace):
    from cardkit.qr.scanner import CaptureSource, ImageSource

    if args.video:
        return CaptureSource(args.video)
    if args.images:
        return ImageSource([args.images])
    return CaptureSource(args.camera or 0, width=args.width, height=args.height, fps=args.fps)


def cmd_watch(args: argparse.Namespace) -> int:
    from cardkit.qr.payload import QrPayloadError, parse_payload, printable_text
    from cardkit.qr.scanner import Scanner

    def show(event) -> None:
        stamp = datetime.fromtimestamp(event.timestamp).isoformat(timespec="milliseconds")
        text = printable_text(event.code.text)
        try:
            fields = parse_payload(event.code.raw).to_dict()
            print(json.dumps({"time": stamp, "text": text, "fields": fields}, ensure_ascii=False), flush=True)
        except QrPayloadError as exc:
            print(json.dumps({"time": stamp, "text": text, "error": _message(exc)}, ensure_ascii=False), flush=True)

    scanner = Scanner(_source(args), on_event=show).start()
    try:
        while not scanner.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
    if scanner.error is not None and not isinstance(scanner.error, KeyboardInterrupt):
        raise scanner.error
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cardkit.qr.bench import format_table, run_bench

    t0 = time.perf_counter()
    report = run_bench(Path(args.dir), limit=args.limit)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0
