#!/usr/bin/python3
"""Reference decoder for image_test: dumps cutouts of real ZTF alerts and their pixels as astropy (FITS) and
Pillow (JPEG) decode them, so the C++ decoder can be compared bit for bit.

usage: dump_stamps.py OUTDIR ALERTS_ROOT [--every N] [FILE ...]
  FILEs are relative to ALERTS_ROOT (the ztf-alerts folder); --every N adds every Nth alert of index.csv.
writes OUTDIR/manifest.tsv: index, file, field, format, width, height, reference
  (reference = 1 when OUTDIR/<index>.f32 holds the reference pixels, little-endian float32, row 0 = FITS first
  row; JPEG rows are flipped to the same convention), and OUTDIR/<index>.raw with the stampData bytes.
exit 3 when a needed module (avro, astropy, numpy) is missing, so the test can skip rather than fail.
"""
import csv
import gzip
import io
import os
import sys

try:
    import avro.datafile
    import avro.io
    import numpy as np
    from astropy.io import fits
except ImportError as e:  # the test reports this as a skip
    print(f"missing module: {e}", file=sys.stderr)
    sys.exit(3)
try:
    import PIL.Image
except ImportError:
    PIL = None


def reference_pixels(data):
    """(format, height, width, float32 array or None)"""
    if data[:2] == b"\x1f\x8b":
        with fits.open(io.BytesIO(gzip.decompress(data))) as hdul:
            arr = np.asarray(hdul[0].data)
            return "gzip-fits", arr.shape[0], arr.shape[1], arr.astype("<f4")
    if data[:3] == b"\xff\xd8\xff":
        if PIL is None:
            return "jpeg", 0, 0, None
        im = PIL.Image.open(io.BytesIO(data))
        # draft('L') makes libjpeg itself produce luminance, as the C++ decoder asks it to.
        im.draft("L", im.size)
        arr = np.asarray(im.convert("L") if im.mode != "L" else im)
        return "jpeg", arr.shape[0], arr.shape[1], np.flipud(arr).astype("<f4")
    return "unknown", 0, 0, None


def main():
    out_dir, root = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    files = []
    if len(args) >= 2 and args[0] == "--every":
        every = int(args[1])
        args = args[2:]
        with open(os.path.join(root, "index.csv")) as f:
            files += [row["file"] for i, row in enumerate(csv.DictReader(f)) if i % every == 0]
    files += [a for a in args if a not in files]
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    with open(os.path.join(out_dir, "manifest.tsv"), "w") as manifest:
        for rel in files:
            with open(os.path.join(root, rel), "rb") as fh:
                for rec in avro.datafile.DataFileReader(fh, avro.io.DatumReader()):
                    for field in ("cutoutScience", "cutoutTemplate", "cutoutDifference"):
                        cutout = rec.get(field)
                        if cutout is None:
                            continue
                        data = cutout["stampData"]
                        fmt, h, w, arr = reference_pixels(data)
                        with open(os.path.join(out_dir, f"{n}.raw"), "wb") as f:
                            f.write(data)
                        if arr is not None:
                            arr.tofile(os.path.join(out_dir, f"{n}.f32"))
                        manifest.write(f"{n}\t{rel}\t{field}\t{fmt}\t{w}\t{h}\t{int(arr is not None)}\n")
                        n += 1


if __name__ == "__main__":
    main()
