"""Reference decoder for bench/decode_ingest: Debian's python3-avro reading ZTF alert packets.

Usage: /usr/bin/python3 python_avro_decode.py LIST_FILE ROUNDS
Decodes every file named in LIST_FILE (one path per line) ROUNDS times, each record completely (as
rivulet decode does: every field, cutout bytes included), and prints one line:
    alerts=<n> bytes=<n> seconds=<s>
"""
import sys
import time

import avro.datafile
import avro.io


def main() -> None:
    paths = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    rounds = int(sys.argv[2])
    blobs = [open(p, "rb").read() for p in paths]
    import io
    n = 0
    nbytes = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for blob in blobs:
            with avro.datafile.DataFileReader(io.BytesIO(blob), avro.io.DatumReader()) as reader:
                for record in reader:
                    n += 1
                    _ = record["candidate"]["magpsf"]
            nbytes += len(blob)
    seconds = time.perf_counter() - start
    print(f"alerts={n} bytes={nbytes} seconds={seconds:.6f}")


if __name__ == "__main__":
    main()
