#!/usr/bin/python3
"""Writes <version>/alert.resolved.avsc: the ZTF alert schema with every named type inlined at its first
use (later uses refer to it by full name), keeping docs and the `version` attribute, as ZTF's own packets
embed it. Run by hand when a schema version is added; the output is checked in and embedded at build time.
Usage: resolve_schema.py 4.02"""
import json, os, sys

version = sys.argv[1] if len(sys.argv) > 1 else "4.02"
folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), version)
named = {}
for name in os.listdir(folder):
    if name.endswith(".avsc") and name != "alert.resolved.avsc":
        with open(os.path.join(folder, name)) as f:
            schema = json.load(f)
        named[schema["namespace"] + "." + schema["name"]] = schema
seen = set()

def resolve(t):
    if isinstance(t, str):
        if t in named and t not in seen:
            seen.add(t)
            return resolve(named[t])
        return t
    if isinstance(t, list):
        return [resolve(x) for x in t]
    if isinstance(t, dict):
        out = dict(t)
        if t.get("type") == "record":
            seen.add(t["namespace"] + "." + t["name"] if "namespace" in t else t["name"])
            out["fields"] = [dict(f, type=resolve(f["type"])) for f in t["fields"]]
        elif t.get("type") == "array":
            out["items"] = resolve(t["items"])
        return out
    return t

with open(os.path.join(folder, "alert.resolved.avsc"), "w") as f:
    json.dump(resolve(named["ztf.alert"]), f)  # one line, as ZTF embeds it
    f.write("\n")
