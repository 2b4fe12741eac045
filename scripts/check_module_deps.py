#!/usr/bin/env python3
"""Fails when a source file includes a module that is not below its own in the layer table.

Usage: check_module_deps.py SRC_DIR       check every .hpp/.cpp under SRC_DIR
       check_module_deps.py --self-test   prove the check catches a planted upward include
"""
import pathlib
import re
import sys
import tempfile

# Layer of each module; a module may include only modules with a strictly lower layer (and itself).
# Keep in step with ARCHITECTURE.md.
LAYERS = {
    "core": 0,
    "model": 1, "config": 1,
    "calendar": 2, "indicators": 2, "options": 2,
    "levels": 3, "runtime": 3, "net": 3,
    "persistence": 4,
    "data": 5, "execution": 5, "portfolio": 5, "scanner": 5,
    "risk": 6, "plans": 6, "agents": 6,
    "adapters": 7,
    "system": 8,
    "api": 9,
    "app": 10,
}
# Edges that the layer order would allow but the design forbids.
FORBIDDEN = {
    "adapters": {"scanner", "agents", "risk", "plans", "api", "app", "system"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.MULTILINE)


def violations(src: pathlib.Path):
    found = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".hpp", ".cpp", ".h", ".ipp"):
            continue
        owner = path.relative_to(src).parts[0]
        if owner not in LAYERS:
            found.append(f"{path}: folder '{owner}' is not in the layer table")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INCLUDE.finditer(text):
            target = match.group(1)
            if target not in LAYERS or target == owner:
                continue
            line = text.count("\n", 0, match.start()) + 1
            if LAYERS[target] >= LAYERS[owner]:
                found.append(f"{path}:{line}: {owner} (layer {LAYERS[owner]}) includes {target} "
                             f"(layer {LAYERS[target]}); arrows must point down")
            elif target in FORBIDDEN.get(owner, set()):
                found.append(f"{path}:{line}: {owner} must not include {target}")
    return found


def self_test() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp)
        (src / "core").mkdir()
        (src / "model").mkdir()
        (src / "model" / "ok.hpp").write_text('#include "core/price.hpp"\n')
        if violations(src):
            print("self-test: a downward include was reported")
            return 1
        (src / "core" / "bad.hpp").write_text('#pragma once\n#include "model/bar.hpp"\n')
        found = violations(src)
        if len(found) != 1 or "bad.hpp:2" not in found[0]:
            print("self-test: the planted upward include was not caught:", found)
            return 1
    print("self-test: planted upward include caught")
    return 0


def main(argv) -> int:
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    found = violations(pathlib.Path(argv[1]))
    for line in found:
        print(line)
    if found:
        print(f"module dependency check: {len(found)} violation(s)")
        return 1
    print("module dependency check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
