#!/usr/bin/python3
"""Reference cross-match with astropy, for the agreement test of `rivulet xmatch`.

usage: astropy_xmatch.py INPUT.csv IN_RA IN_DEC CATALOG.csv CAT_RA CAT_DEC RADIUS_ARCSEC all|nearest OUT.csv

Positions are degrees, or sexagesimal when a cell has colons (RA in hours), parsed by astropy itself.
Rows are 0-based data rows in file order. Writes in_row,cat_row,sep_arcsec (sep with 17 significant
digits), sorted by in_row, then separation, then cat_row. Needs Debian python3-astropy and python3-scipy.
"""
import csv
import sys

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, match_coordinates_sky, search_around_sky


def load(path, ra_col, dec_col):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    ra = [r[ra_col].strip() for r in rows]
    dec = [r[dec_col].strip() for r in rows]
    if any(":" in x for x in ra):
        return SkyCoord(ra, dec, unit=(u.hourangle, u.deg))
    return SkyCoord(np.array(ra, dtype=float), np.array(dec, dtype=float), unit=u.deg)


def main():
    inp, in_ra, in_dec, cat, cat_ra, cat_dec, radius, mode, out = sys.argv[1:10]
    a = load(inp, in_ra, in_dec)
    c = load(cat, cat_ra, cat_dec)
    r = float(radius) * u.arcsec
    pairs = []
    if mode == "all":
        ia, ic, sep, _ = search_around_sky(a, c, r)
        pairs = list(zip(ia.tolist(), ic.tolist(), sep.to_value(u.arcsec).tolist()))
    else:
        idx, sep, _ = match_coordinates_sky(a, c)
        s = sep.to_value(u.arcsec)
        pairs = [(i, int(idx[i]), float(s[i])) for i in range(len(a)) if s[i] <= float(radius)]
    pairs.sort(key=lambda p: (p[0], p[2], p[1]))
    with open(out, "w") as f:
        f.write("in_row,cat_row,sep_arcsec\n")
        for i, j, s in pairs:
            f.write(f"{i},{j},{s:.17g}\n")


if __name__ == "__main__":
    main()
