#!/usr/bin/python3
"""astropy side of bench/cone: the same cones and cross-match as the C++ benchmark, on the same data.

usage: astropy_cone.py WORKDIR SET... (each SET names files WORKDIR/SET.{cat,cones,xmatch}.f64 written by
cone_bench: float64 pairs ra,dec in degrees) -- writes WORKDIR/astropy.json.

Cones: search_around_sky of a one-element SkyCoord against the catalog, whose KD-tree astropy builds on
the first call and caches (its build time is reported apart, as our import is). Cross-match:
match_coordinates_sky (nearest, cached tree) then the radius cut, on one thread (astropy's default).
Needs Debian python3-astropy and python3-scipy.
"""
import json
import sys
import time

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, match_coordinates_sky, search_around_sky

RADII = [2.0, 60.0, 1800.0]
CONES_PER_RADIUS = 300


def load(path):
    a = np.fromfile(path, dtype="<f8").reshape(-1, 2)
    return SkyCoord(a[:, 0], a[:, 1], unit=u.deg)


def main():
    work = sys.argv[1]
    out = {}
    for name in sys.argv[2:]:
        cat = load(f"{work}/{name}.cat.f64")
        cones = load(f"{work}/{name}.cones.f64")
        xm = load(f"{work}/{name}.xmatch.f64")
        res = {}
        t = time.perf_counter()
        search_around_sky(cones[0:1], cat, 1 * u.arcsec)  # builds and caches the catalog's KD-tree
        res["tree_build_s"] = time.perf_counter() - t
        res["cones"] = {}
        for r in RADII:
            times, found = [], 0
            cpu0 = time.process_time()
            for i in range(min(CONES_PER_RADIUS, len(cones))):
                q = cones[i:i + 1]
                t = time.perf_counter()
                idx_in, idx_cat, _, _ = search_around_sky(q, cat, r * u.arcsec)
                times.append(time.perf_counter() - t)
                found += len(idx_cat)
            cpu_us = (time.process_time() - cpu0) * 1e6 / len(times)
            times = np.array(times) * 1e6
            res["cones"][str(r)] = {"median_us": float(np.median(times)), "p99_us": float(np.percentile(times, 99)),
                                     "cpu_mean_us": cpu_us, "n": len(times),
                                     "mean_found": found / len(times)}
        match_coordinates_sky(xm[0:2], cat, storekdtree="kdtree_sky")  # tree already cached: warm-up
        t, cpu0 = time.perf_counter(), time.process_time()
        idx, sep, _ = match_coordinates_sky(xm, cat, storekdtree="kdtree_sky")
        matched = int(np.count_nonzero(sep.to_value(u.arcsec) <= 2.0))
        dt, cpu = time.perf_counter() - t, time.process_time() - cpu0
        res["xmatch"] = {"rows": len(xm), "seconds": dt, "rows_per_s": len(xm) / dt, "rows_per_cpu_s": len(xm) / cpu,
                         "matched": matched}
        out[name] = res
        print(name, json.dumps(res), flush=True)
    with open(f"{work}/astropy.json", "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
