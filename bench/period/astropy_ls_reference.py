#!/usr/bin/python3
"""Reference Lomb-Scargle powers from astropy (Debian python3-astropy), for tests and benchmarks.

Usage: astropy_ls_reference.py LC.csv F0 DF NF METHOD [NTERMS] > powers.txt
LC.csv has columns t,mag,err (header line). METHOD is an astropy method ('cython', 'fast', 'slow',
'fastchi2', 'chi2'). Prints one power per line with 17 significant digits (standard normalization,
floating mean), then on stderr the seconds astropy took.
"""
import sys
import time

import numpy as np
from astropy.timeseries import LombScargle


def main():
    path, f0, df, nf, method = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    nterms = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    t, y, dy = data[:, 0], data[:, 1], data[:, 2]
    freq = f0 + df * np.arange(nf)
    ls = LombScargle(t, y, dy, nterms=nterms)
    start = time.perf_counter()
    power = ls.power(freq, method=method, assume_regular_frequency=True)
    sys.stderr.write(f"{time.perf_counter() - start:.6f}\n")
    np.savetxt(sys.stdout, power, fmt="%.17g")


if __name__ == "__main__":
    main()
