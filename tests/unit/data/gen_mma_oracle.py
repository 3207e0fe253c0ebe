#!/usr/bin/env python3
# Generates mma_oracle.inc: every MMA row (hv_core/src/isa/rows/vsx_mma.inc: xxmfacc/xxmtacc/xxsetaccz, each xv*ger*
# and its prefixed pm* form) run under `qemu-ppc64le -cpu power10` (the oracle) on edge and random operands, as C++
# initialisers
#   {prefix, word, fpscr_in, acc_in[8], a[4], b[2], acc_out[8], fpscr_out, vscr_out}
# Registers: AT = a1 (VSR 4..7, doublewords acc[2r], acc[2r+1] for row r), XA = vs40 (the pair vs40:vs41 for
# xvf64ger*: a[0..3]), XB = vs42; the sequence is xxmtacc a1, the instruction, xxmfacc a1. FPSCR is set from
# fpscr_in (rounding modes and sticky bits, no enable bits: QEMU user mode would turn those into SIGFPE), VSCR from 0.
# Usage: python3 gen_mma_oracle.py > mma_oracle.inc (needs the powerpc64le-linux-gnu toolchain and qemu-ppc64le;
# the build runs it, see tests/unit/meson.build). Deterministic: the same QEMU gives the same table.
import os, random, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ppc_asm import assemble_words

rng = random.Random(0x4d4d41)
M64 = (1 << 64) - 1

def ibm(n): return 1 << (63 - n)
STICKY = ibm(35) | ibm(36) | ibm(37) | ibm(38) | ibm(39) | ibm(45) | ibm(46) | (0x11 << 12)
CONFIGS = [0, 1, 2, 3, STICKY, STICKY | 2, ibm(32) | ibm(38), 3 | ibm(40)]

W32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0x7f7f7f7f, 0x80808080, 0x88888888, 0x77777777,
       0xffff8000, 0x00007fff, 0x01020304, 0xfefdfcfb]
S = [0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x40400000, 0x3dcccccd,
     0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00001, 0xffc00002, 0x7f800003, 0xff900004, 0x3fc00000,
     0x4f000000, 0x5f800000, 0x33800000, 0x3f000000, 0x1f800000, 0x0c000000]
D = [0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x0010000000000000, 0x3ff0000000000000,
     0xbff0000000000000, 0x4008000000000000, 0x3fb999999999999a, 0x7fefffffffffffff, 0xffefffffffffffff,
     0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000001, 0xfff4000000000004, 0x3fe0000000000000,
     0x5ff0000000000000, 0x2000000000000000, 0x3ff0000000000001]
H = [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x4200, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e01,
     0x7c02, 0xfd03, 0x3555, 0x1400, 0x6400]
BF = [0x0000, 0x8000, 0x0001, 0x007f, 0x0080, 0x3f80, 0xbf80, 0x4040, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc1,
      0x7f82, 0xff83, 0x3dcd, 0x1f80, 0x5f80]

def pick(pool, bits):
    return rng.choice(pool) if rng.random() < 0.7 else rng.getrandbits(bits)
def pack(elems, bits):
    v = 0
    for e in elems: v = v << bits | e
    return v
def quad(kind):
    """One VSR as (dw0, dw1) of the element kind."""
    if kind == 'i': v = pack([pick(W32, 32) for _ in range(4)], 32)
    elif kind == 's': v = pack([pick(S, 32) for _ in range(4)], 32)
    elif kind == 'd': v = pack([pick(D, 64) for _ in range(2)], 64)
    elif kind == 'h': v = pack([pick(H, 16) for _ in range(8)], 16)
    elif kind == 'b': v = pack([pick(BF, 16) for _ in range(8)], 16)
    else: v = rng.getrandbits(128)
    return (v >> 64, v & M64)

cases = []   # (asm, prefixed, fpscr, acc[8], a[4], b[2])
def add(asm, prefixed, fps, kin, kacc):
    acc = [x for _ in range(4) for x in quad(kacc)]
    a = list(quad(kin)) + list(quad(kin))
    b = list(quad(kin))
    cases.append((asm, prefixed, fps, acc, a, b))

for m in ('xxmfacc', 'xxmtacc', 'xxsetaccz'):
    for i in range(10):
        add(f'{m} 1', False, 0, 'r', 'r')

INT = {'xvi4ger8': 8, 'xvi4ger8pp': 8, 'xvi8ger4': 4, 'xvi8ger4pp': 4, 'xvi8ger4spp': 4, 'xvi16ger2': 2,
       'xvi16ger2pp': 2, 'xvi16ger2s': 2, 'xvi16ger2spp': 2}
for m, pbits in INT.items():
    for i in range(120):
        add(f'{m} 1,40,42', False, 0, 'i' if i % 3 else 'r', 'i')
    for i in range(80):
        add(f'pm{m} 1,40,42,{rng.getrandbits(4)},{rng.getrandbits(4)},{rng.getrandbits(pbits)}', True, 0,
            'i' if i % 3 else 'r', 'i')

for base, kin, kacc, pbits in (('xvf32ger', 's', 's', 0), ('xvf64ger', 'd', 'd', 0), ('xvf16ger2', 'h', 's', 2),
                               ('xvbf16ger2', 'b', 's', 2)):
    for sfx in ('', 'pp', 'pn', 'np', 'nn'):
        m = base + sfx
        for i in range(200):
            add(f'{m} 1,40,42', False, CONFIGS[i % len(CONFIGS)], kin, kacc)
        for i in range(60):
            ymsk = rng.getrandbits(2 if base == 'xvf64ger' else 4)
            p = f',{rng.getrandbits(pbits)}' if pbits else ''
            add(f'pm{m} 1,40,42,{rng.getrandbits(4)},{ymsk}{p}', True, CONFIGS[i % len(CONFIGS)], kin, kacc)

words = assemble_words(''.join(c[0] + '\n' for c in cases), stem='mma_words')
insns, k = [], 0
for c in cases:
    if c[1]:
        insns.append((words[k], words[k + 1]))
        k += 2
    else:
        insns.append((0, words[k]))
        k += 1
assert k == len(words)
uniq = sorted(set(insns))
widx = {w: i for i, w in enumerate(uniq)}
prog = ['#include <stdio.h>', '#include <stdint.h>',
        # lxv/stxv in little-endian mode move the VSR as one little-endian quadword: doubleword 1 first.
        'struct io { uint64_t acc[8], a[4], b[2], out[8], fps, fps_out, vscr_out[2], zero[2]; };',
        'typedef void (*fn)(struct io *);']
for (p, w), i in widx.items():
    code = (f' .p2align 3\\n .long 0x{p:08x}\\n .long 0x{w:08x}\\n' if p else f' .long 0x{w:08x}\\n')
    prog.append(f'static void f{i}(struct io *p) {{ __asm__ volatile('
                '"lxv 4,0(%0)\\n lxv 5,16(%0)\\n lxv 6,32(%0)\\n lxv 7,48(%0)\\n lxv 40,64(%0)\\n lxv 41,80(%0)\\n'
                ' lxv 42,96(%0)\\n lxv 32,208(%0)\\n mtvscr 0\\n lfd 0,176(%0)\\n mtfsf 0xff,0,1,0\\n xxmtacc 1\\n'
                f'{code}'
                ' xxmfacc 1\\n mffs 0\\n stfd 0,184(%0)\\n stxv 4,112(%0)\\n stxv 5,128(%0)\\n stxv 6,144(%0)\\n'
                ' stxv 7,160(%0)\\n mfvscr 0\\n stxv 32,192(%0)\\n lfd 0,208(%0)\\n mtfsf 0xff,0,1,0\\n"'
                ' :: "b"(p) : "memory", "fr0", "vs4", "vs5", "vs6", "vs7", "vs40", "vs41", "vs42", "v0"); }')
prog.append('static const fn fns[] = {' + ', '.join(f'f{i}' for i in range(len(uniq))) + '};')
prog.append('static const struct { unsigned w; uint64_t fps, acc[8], a[4], b[2]; } cases[] = {')
# The VSR images: lxv of (lo, hi) in memory gives dw0 = hi.
def mem(dws): return ', '.join(f'0x{dws[2 * r + 1]:x}ull, 0x{dws[2 * r]:x}ull' for r in range(len(dws) // 2))
for c, ins in zip(cases, insns):
    prog.append(f'  {{{widx[ins]}, 0x{c[2]:x}ull, {{{mem(c[3])}}}, {{{mem(c[4])}}}, {{{mem(c[5])}}}}},')
prog.append('};')
prog.append('''int main(void) {
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    struct io io = {0};
    for (int k = 0; k < 8; ++k) io.acc[k] = cases[i].acc[k];
    for (int k = 0; k < 4; ++k) io.a[k] = cases[i].a[k];
    io.b[0] = cases[i].b[0]; io.b[1] = cases[i].b[1];
    io.fps = cases[i].fps;
    fns[cases[i].w](&io);
    for (int k = 0; k < 8; ++k) printf("%llx ", (unsigned long long)io.out[k ^ 1]);
    printf("%llx %llx\\n", (unsigned long long)io.fps_out, (unsigned long long)(io.vscr_out[0] & 0xffffffff));
  }
  return 0;
}''')
with tempfile.TemporaryDirectory() as tmp:
    src, exe = os.path.join(tmp, 'mma.c'), os.path.join(tmp, 'mma')
    open(src, 'w').write('\n'.join(prog) + '\n')
    subprocess.run(['powerpc64le-linux-gnu-gcc', '-O1', '-static', '-mcpu=power10', '-o', exe, src], check=True)
    out = subprocess.run(['qemu-ppc64le', '-cpu', 'power10', exe], check=True, capture_output=True,
                         text=True).stdout.split('\n')
for f in ('mma_words.s', 'mma_words.o'):
    if os.path.exists(f):
        os.remove(f)
print('// Generated by gen_mma_oracle.py from qemu-ppc64le -cpu power10. Do not edit.')
print('// {prefix, word, fpscr_in, acc_in, a, b, acc_out, fpscr_out, vscr_out}')
def arr(v): return '{' + ', '.join(f'0x{x:x}ull' for x in v) + '}'
for c, ins, line in zip(cases, insns, out):
    vals = [int(x, 16) for x in line.split()]
    print(f'    {{0x{ins[0]:08x}, 0x{ins[1]:08x}, 0x{c[2]:x}ull, {arr(c[3])}, {arr(c[4])}, {arr(c[5])}, '
          f'{arr(vals[:8])}, 0x{vals[8]:x}ull, 0x{vals[9]:x}u}},  // {c[0].split()[0]}')
