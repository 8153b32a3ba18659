#!/usr/bin/env python3
"""Extract, from botocore's service models, every integer member of every
operation's input: its path, its type (integer: 32-bit, long: 64-bit) and the
min/max the model gives it. barge validates request numbers against these
tables at the API boundary (internal/awsproto), and a test sends an
out-of-range value for each one.

Run from the repository root after upgrading botocore:

    python3 scripts/gen-int-ranges.py

It writes internal/<package>/intranges.json for each API package below.
EC2's query protocol names a member by its queryName, or else its
locationName (or member name) with the first letter in upper case, and
flattens lists (Name.N); the others by their locationName or member name.
"""
import glob
import gzip
import json
import os

import botocore

SERVICES = {
    "batch": "internal/batch",
    "logs": "internal/logs",
    "iam": "internal/iam",
    "sts": "internal/sts",
    "ec2": "internal/ec2",
    "ecs": "internal/ecs",
}


def member_key(ref, member, ec2):
    if ec2:
        if "queryName" in ref:
            return ref["queryName"]
        name = ref.get("locationName", member)
        return name[:1].upper() + name[1:]
    return ref.get("locationName", member)


def walk(shapes, name, path, out, seen, ec2):
    shape = shapes[name]
    t = shape["type"]
    if t in ("integer", "long"):
        entry = {"path": path, "type": t}
        if "min" in shape:
            entry["min"] = shape["min"]
        if "max" in shape:
            entry["max"] = shape["max"]
        out.append(entry)
    elif t == "structure":
        if name in seen:  # recursive shapes: each is walked once per path
            return
        for member, ref in shape.get("members", {}).items():
            loc = ref.get("location")
            if loc in ("header", "headers", "querystring", "uri"):
                continue  # not in the body; barge binds none of these to an integer
            key = member_key(ref, member, ec2)
            walk(shapes, ref["shape"], join(path, key), out, seen | {name}, ec2)
    elif t == "list":
        walk(shapes, shape["member"]["shape"], path + "[]", out, seen, ec2)
    elif t == "map":
        walk(shapes, shape["value"]["shape"], path + "{}", out, seen, ec2)


def join(path, key):
    return key if path == "" else path + "." + key


def main():
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    for service, pkg in SERVICES.items():
        # botocore ships its models gzipped since 1.32; older ones plain.
        model_path = sorted(glob.glob(os.path.join(data, service, "*", "service-2.json*")))[-1]
        opener = gzip.open if model_path.endswith(".gz") else open
        with opener(model_path, "rt") as f:
            model = json.load(f)
        shapes = model["shapes"]
        ops = {}
        for op, spec in sorted(model["operations"].items()):
            if "input" not in spec:
                continue
            out = []
            walk(shapes, spec["input"]["shape"], "", out, frozenset(), model["metadata"]["protocol"] == "ec2")
            if out:
                ops[op] = out
        table = {
            "source": "botocore " + botocore.__version__ + " data/" + os.path.relpath(model_path, data),
            "protocol": model["metadata"]["protocol"],
            "operations": ops,
        }
        with open(os.path.join(pkg, "intranges.json"), "w") as f:
            json.dump(table, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
