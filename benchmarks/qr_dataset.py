# SPDX-License-Identifier: Apache-2.0
"""Generate the QR benchmark set: 1280x720 camera-like frames of a CCCD with its QR code.

    python benchmarks/qr_dataset.py OUTDIR [--per-class 40] [--seed 2024]

Writes OUTDIR/<class>/NNN.jpg and OUTDIR/manifest.json ({"frames": [{"file", "class", "text"}]},
text null for frames without a code). Images are not committed; this generator (fixed seed) is.
Each class applies one kind of trouble on top of a mild baseline so that the per-class decode
rate says which trouble a decoder copes with. Then: ``cardkit qr bench OUTDIR``.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
import segno

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cardkit.qr.payload import build_payload  # noqa: E402
from cardkit.qr.samples import random_person  # noqa: E402

W, H = 1280, 720
CARD_W, CARD_H = 1000, 630  # ID-1 proportions (85.6 x 54 mm)
QR_FRAC = 0.2  # QR width / card width on the CCCD front
CLASSES = ("clean", "far", "near", "tilt", "rotation", "motion_blur", "focus_blur",
           "low_light", "glare", "jpeg", "occlusion", "no_code")
MILD = ("clean", "near", "rotation", "jpeg")


def qr_image(text: str, px: int) -> np.ndarray:
    """The QR (with its 4-module quiet zone) rendered crisply at about ``px`` pixels."""
    qr = segno.make_qr(text, encoding="utf-8")  # never segno.make: it may emit a Micro QR
    modules = qr.symbol_size(scale=1, border=4)[0]
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=max(1, px // modules), border=4)
    img = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    return cv2.resize(img, (px, px), interpolation=cv2.INTER_NEAREST)


def card_texture(rng: random.Random, text: str | None) -> np.ndarray:
    """A card face: tinted background, photo box, lines of 'print', and the QR at top right."""
    card = np.zeros((CARD_H, CARD_W, 3), np.uint8)
    card[:] = (rng.randint(200, 235), rng.randint(215, 240), rng.randint(225, 250))
    cv2.rectangle(card, (40, 170), (260, 460), (150, 140, 135), -1)  # photo
    for i in range(9):
        y = 170 + i * 40
        cv2.line(card, (300, y), (300 + rng.randint(150, 420), y), (60, 50, 40), rng.randint(5, 9))
    cv2.putText(card, "CAN CUOC CONG DAN", (300, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (40, 40, 160), 3)
    if text is not None:
        side = int(CARD_W * QR_FRAC)
        qr = cv2.cvtColor(qr_image(text, side), cv2.COLOR_GRAY2BGR)
        card[30:30 + side, CARD_W - side - 30:CARD_W - 30] = qr
    return card


def background(rng: random.Random) -> np.ndarray:
    """A desk: a smooth gradient with clutter, so that detectors see edges outside the card."""
    gx = np.linspace(rng.randint(60, 140), rng.randint(60, 140), W, dtype=np.float32)
    gy = np.linspace(0, rng.randint(-40, 40), H, dtype=np.float32)[:, None]
    bg = np.clip(gx[None, :] + gy, 0, 255).astype(np.uint8)
    bg = cv2.cvtColor(bg, cv2.COLOR_GRAY2BGR)
    for _ in range(6):
        p = (rng.randrange(W), rng.randrange(H))
        cv2.rectangle(bg, p, (p[0] + rng.randint(20, 200), p[1] + rng.randint(5, 60)),
                      tuple(rng.randint(0, 255) for _ in range(3)), -1)
    return bg


def homography(rng: random.Random, qr_px: float, tilt: float, rot: float) -> np.ndarray:
    """Card -> frame: scale so the QR is ``qr_px`` wide, tilt the card plane up to ``tilt``
    degrees in 3-D, rotate by ``rot`` degrees in plane, and place the QR inside the frame."""
    s = qr_px / (CARD_W * QR_FRAC)
    ax, ay = (math.radians(rng.uniform(-tilt, tilt)) for _ in range(2))
    r = math.radians(rot)
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rot3 = rz @ ry @ rx
    f = 1400.0  # focal length in pixels, a 720p webcam
    qc = np.array([CARD_W - 30 - CARD_W * QR_FRAC / 2, 30 + CARD_W * QR_FRAC / 2])

    def project(pts: np.ndarray) -> np.ndarray:
        p3 = np.c_[(pts - qc) * s, np.zeros(len(pts))] @ rot3.T + [0, 0, f]
        return f * p3[:, :2] / p3[:, 2:3]

    src = np.float32([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]])
    dst = project(src)
    qr_corners = project(qc + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * CARD_W * QR_FRAC / 2)
    lo, hi = qr_corners.min(0), qr_corners.max(0)
    margin = 20
    cx = rng.uniform(margin - lo[0], W - margin - hi[0]) if hi[0] - lo[0] < W - 2 * margin else W / 2
    cy = rng.uniform(margin - lo[1], H - margin - hi[1]) if hi[1] - lo[1] < H - 2 * margin else H / 2
    return cv2.getPerspectiveTransform(src, np.float32(dst + [cx, cy]))


def place(rng: random.Random, card: np.ndarray, qr_px: float, tilt: float, rot: float) -> np.ndarray:
    frame = background(rng)
    m = homography(rng, qr_px, tilt, rot)
    warped = cv2.warpPerspective(card, m, (W, H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full(card.shape[:2], 255, np.uint8), m, (W, H))
    frame[mask > 0] = warped[mask > 0]
    return frame


def motion_blur(img: np.ndarray, rng: random.Random) -> np.ndarray:
    n = rng.randint(3, 7)
    k = np.zeros((n, n), np.float32)
    k[n // 2, :] = 1.0 / n
    rotm = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1.0)
    k = cv2.warpAffine(k, rotm, (n, n))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def low_light(img: np.ndarray, rng: random.Random) -> np.ndarray:
    dark = img.astype(np.float32) * rng.uniform(0.15, 0.35)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(4, 9), img.shape)
    return np.clip(dark + noise, 0, 255).astype(np.uint8)


def glare(img: np.ndarray, rng: random.Random) -> np.ndarray:
    out = img.astype(np.float32)
    layer = np.zeros(img.shape[:2], np.float32)
    for _ in range(rng.randint(1, 2)):
        c = (rng.randrange(W), rng.randrange(H))
        cv2.ellipse(layer, c, (rng.randint(40, 140), rng.randint(20, 70)), rng.uniform(0, 180), 0, 360, 1.0, -1)
    layer = cv2.GaussianBlur(layer, (0, 0), 15) * rng.uniform(0.5, 0.8)
    return np.clip(out + layer[..., None] * (255 - out), 0, 255).astype(np.uint8)


def occlude_quiet_zone(card: np.ndarray, rng: random.Random) -> np.ndarray:
    """A thumb over part of the quiet zone: dark blobs touching the QR's white margin."""
    side = int(CARD_W * QR_FRAC)
    x0, y0 = CARD_W - side - 30, 30
    quiet = max(2, side * 4 // 45)
    for _ in range(rng.randint(1, 2)):
        edge = rng.choice("lrb")
        t = rng.uniform(0.2, 0.8) * side
        c = {"l": (x0 + quiet // 3, y0 + t), "r": (x0 + side - quiet // 3, y0 + t), "b": (x0 + t, y0 + side - quiet // 3)}[edge]
        axes = (int(quiet * 0.7), int(side * 0.25)) if edge != "b" else (int(side * 0.25), int(quiet * 0.7))
        cv2.ellipse(card, (int(c[0]), int(c[1])), axes,
                    0, 0, 360, (90, 110, 150), -1)
    return card


def render(cls: str, rng: random.Random) -> tuple[np.ndarray, int, str | None]:
    person = random_person(rng, long_address=rng.random() < 0.3)
    text = None if cls == "no_code" else build_payload(person, rng.choice(("cccd2021", "cancuoc2024")))
    card = card_texture(rng, text)
    if cls == "occlusion":
        card = occlude_quiet_zone(card, rng)
    qr_px = {"far": rng.uniform(60, 90), "near": rng.uniform(200, 250)}.get(cls, rng.uniform(110, 200))
    tilt = 35.0 if cls == "tilt" else 8.0
    rot = rng.uniform(0, 360) if cls == "rotation" else rng.uniform(-8, 8)
    frame = place(rng, card, qr_px, tilt, rot)
    if cls == "no_code" and rng.random() < 0.3:
        frame = background(rng)
    frame = {"motion_blur": motion_blur, "low_light": low_light, "glare": glare}.get(cls, lambda f, r: f)(frame, rng)
    if cls == "focus_blur":
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.8, 1.6))
    quality = rng.randint(30, 45) if cls == "jpeg" else rng.randint(80, 92)
    return frame, quality, text


def generate(out: Path, per_class: int, seed: int, classes=CLASSES) -> dict:
    manifest = {"seed": seed, "per_class": per_class, "mild": list(MILD), "frames": []}
    for ci, cls in enumerate(classes):
        rng = random.Random(seed * 1000 + ci)
        (out / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            frame, quality, text = render(cls, rng)
            name = f"{cls}/{i:03d}.jpg"
            cv2.imwrite(str(out / name), frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
            manifest["frames"].append({"file": name, "class": cls, "text": text})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="output directory (created)")
    ap.add_argument("--per-class", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--classes", nargs="*", default=list(CLASSES), choices=CLASSES)
    args = ap.parse_args(argv)
    m = generate(args.out, args.per_class, args.seed, args.classes)
    print(f"wrote {len(m['frames'])} frames to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
