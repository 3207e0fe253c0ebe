#!/usr/bin/env python3
"""Copies the kernel modules a test guest needs, with everything they depend on, out of an unpacked Debian
linux-image package, and writes the order to load them in.

    pick_modules.py MODULES_TREE OUT_DIR MODULE...

MODULES_TREE is the package's lib/modules/<version>; the package has no modules.dep (depmod runs at install
time) and the host may have no kmod, so dependencies come from each module's own .modinfo section:
`depends=` and the `softdep=pre:` modules (ext4 asks for crc32c through the crypto API that way). OUT_DIR gets
NAME.ko for each module and `load-order`, one name per line, dependencies first, for busybox insmod; a
package that ships its modules xz-compressed (NAME.ko.xz, as 6.12's does) has them decompressed here, so the
guest needs no decompressor. A
softdep may name an alias (crc32c): the module declaring it is taken, the generic C one when there are several,
since the guest loads nothing by itself (no modprobe) and must not depend on a CPU-specific variant.
"""
import lzma
import os
import struct
import sys


def module_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def modinfo(path):
    """The key=value strings of an ELF64 module's .modinfo section."""
    data = module_bytes(path)
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError(f"{path}: not an ELF64 module")
    end = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(end + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x3a)

    def section(i):
        name, _, _, _, off, size = struct.unpack_from(end + "IIQQQQ", data, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        if data[stroff + name:data.index(b"\0", stroff + name)] == b".modinfo":
            fields = data[off:off + size].split(b"\0")
            return [x.decode(errors="replace") for x in fields if b"=" in x]
    return []


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    tree, out, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
    index = {}
    for root, _, files in os.walk(tree):
        for f in files:
            for ext in (".ko", ".ko.xz"):
                if f.endswith(ext):
                    index[f[:-len(ext)].replace("-", "_")] = os.path.join(root, f)

    aliases = {}
    for name, path in sorted(index.items()):
        for field in modinfo(path):
            key, _, value = field.partition("=")
            if key == "alias" and "*" not in value:
                have = aliases.get(value)
                if have is None or ("generic" in name and "generic" not in have):
                    aliases[value] = name

    def resolve(name):
        name = name.replace("-", "_")
        return name if name in index else aliases.get(name) or aliases.get(name.replace("_", "-"))

    order, seen = [], set()

    def visit(name, chain):
        name = resolve(name) or name
        if name in seen:
            return
        if name in chain:
            raise SystemExit(f"pick_modules: dependency loop through {name}")
        path = index.get(name)
        if path is None:
            raise SystemExit(f"pick_modules: no module {name} in {tree} (built in, or not in this kernel?)")
        deps = []
        for field in modinfo(path):
            key, _, value = field.partition("=")
            if key == "depends":
                deps += [d for d in value.split(",") if d]
            elif key == "softdep":
                pre = value.split("pre:", 1)[1].split("post:")[0] if "pre:" in value else ""
                deps += [d for d in pre.split() if resolve(d)]
        for d in deps:
            visit(d, chain | {name})
        seen.add(name)
        order.append(name)

    for w in wanted:
        visit(w, frozenset())
    os.makedirs(out, exist_ok=True)
    for name in order:
        with open(os.path.join(out, name + ".ko"), "wb") as f:
            f.write(module_bytes(index[name]))
    with open(os.path.join(out, "load-order"), "w") as f:
        f.write("".join(n + "\n" for n in order))
    print(" ".join(order))
    return 0


if __name__ == "__main__":
    sys.exit(main())
