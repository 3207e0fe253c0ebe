#!/usr/bin/env python3
# Generates vmx_oracle.inc: every row of hv_core/src/isa/rows/vmx_*.inc run under `qemu-ppc64le -cpu power10`
# (the oracle) on random and edge operands, as C++ initialisers
#   {word, a, b, c, t_in, vscr_in, r5, r6, r7, mem_in, t_out, vscr_out, r8_out, cr_out, mem_out}
# Operands: VRT/VRS = v1 (preset to t_in, which the insert forms keep in part), VRA = v2, VRB = v3, VRC = v4;
# GPR RT = r8, RA = r5, RB = r6, RC = r7; loads and stores address a 64-byte buffer as (r10) + r9. VSCR is
# set from vscr_in by mtvscr first; CR starts at 0. The rows are read from the .inc files themselves, so a
# new row is covered without touching this script.
# Usage: python3 gen_vmx_oracle.py ROWS_DIR > vmx_oracle.inc (needs powerpc64le-linux-gnu-gcc and qemu-ppc64le;
# the build runs it, see tests/unit/meson.build). Deterministic: the same QEMU gives the same table.
import os, random, re, subprocess, sys, tempfile

rows_dir = sys.argv[1]
rng = random.Random(0x564d58)

def vx(xo): return (4 << 26 | xo, 0xfc0007ff)
def vxa(xo, ra): return (vx(xo)[0] | ra << 16, vx(xo)[1] | 0x1f << 16)
def vc(xo): return (4 << 26 | xo, 0xfc0003ff)
def vca(xo, ra): return (vc(xo)[0] | ra << 16, vc(xo)[1] | 0x1f << 16)
def va(p, xo): return (p << 26 | xo, 0xfc00003f)
def vn(xo, sel): return (4 << 26 | sel << 9 | xo, 0xfc00063f)
def vsldoi_enc(): return (4 << 26 | 44, 0xfc00043f)
def mtvsrbmi_enc(): return (4 << 26 | 10 << 1, 0xfc00003e)
def vcntmb_enc(sub): return (vx(1602)[0] | sub << 17, vx(1602)[1] | 0xf << 17)
def x(p, xo): return (p << 26 | xo << 1, 0xfc0007fe)
def bit31(e, v): return (e[0] | v, e[1] | 1)
def resv(e, f): return (e[0], e[1] | f)
def stream_t(xo): return (bit31(x(31, xo), 0)[0] | 1 << 25, bit31(x(31, xo), 0)[1] | 1 << 25)
kFldA, kFldB = 0x1f << 16, 0x1f << 11

rows = []
for name in sorted(os.listdir(rows_dir)):
    if not (name.startswith('vmx_') and name.endswith('.inc')):
        continue
    for line in open(os.path.join(rows_dir, name)):
        m = re.match(r'row\("([^"]+)", F::(\w+), (.+?), v\d+, P::\w+, ([^,]*), "([^"]*)"', line)
        if m:
            enc = eval(re.sub(r'(\d)u\b', r'\1', m.group(3)))   # C++'s 1u is Python's 1
            rows.append((m.group(1), m.group(2), enc, m.group(4), [o for o in m.group(5).split(',') if o]))

def put(v, lo, hi): return (v & ((1 << (hi - lo + 1)) - 1)) << (31 - hi)

MASK32 = 0xffffffff
F32 = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001,
       0x7f800001, 0xff900000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
       0x3f000000, 0x4b000000, 0x4f000000, 0xcf000000, 0x4effffff, 0x3fc00000, 0x40490fdb, 0x00400000,
       0x4f800000, 0xbf000001, 0x3effffff, 0x34000000, 0x1f800000, 0x5f800000, 0x00800001, 0x42fe0000]
def fp_word():
    return rng.choice(F32) if rng.random() < 0.6 else rng.getrandbits(32) if rng.random() < 0.5 else \
        (rng.choice([0, 0x80000000]) | rng.randrange(0x3e000000, 0x41000000))
def int_elem(width):
    r = rng.random()
    top = 1 << (width - 1)
    if r < 0.12: return 0
    if r < 0.22: return (1 << width) - 1
    if r < 0.30: return top
    if r < 0.38: return top - 1
    if r < 0.50: return rng.randrange(0, 16)
    if r < 0.56: return (1 << width) - rng.randrange(1, 16)
    return rng.getrandbits(width)
def vec(kind):
    if kind == 'fp':
        v = 0
        for _ in range(4): v = v << 32 | fp_word()
        return v
    width = rng.choice([8, 16, 32, 64, 128])
    v = 0
    for _ in range(128 // width): v = v << width | int_elem(width)
    return v
def gpr_in():
    r = rng.random()
    if r < 0.5: return rng.randrange(0, 40)
    if r < 0.6: return (1 << 64) - rng.randrange(1, 20)
    return rng.getrandbits(64)

FP = {'vaddfp', 'vsubfp', 'vmaxfp', 'vminfp', 'vmaddfp', 'vnmsubfp', 'vrefp', 'vrsqrtefp', 'vexptefp', 'vlogefp',
      'vrfin', 'vrfiz', 'vrfip', 'vrfim', 'vcfsx', 'vcfux', 'vctsxs', 'vctuxs', 'vcmpeqfp', 'vcmpgefp', 'vcmpgtfp',
      'vcmpbfp'}
IMM_OPS = {'STRM', 'UIM', 'UIM4', 'UIM3', 'UIM2', 'SIM', 'SHB', 'SH3', 'ST', 'SIX', 'MP', 'N', 'BM16', 'BF'}

def make_word(mn, form, enc, flags, ops):
    w = enc[0]
    for op in ops:
        if op in ('VRT', 'VRS'): w |= put(1, 6, 10)
        elif op == 'VRA': w |= put(2, 11, 15)
        elif op == 'VRB': w |= put(3, 16, 20)
        elif op == 'VRC': w |= put(4, 21, 25)
        elif op == 'RT': w |= put(8, 6, 10)
        elif op in ('RA', 'RA0'): w |= put(10 if op == 'RA0' else 5, 11, 15)
        elif op == 'RB': w |= put(9 if 'RA0' in ops else 6, 16, 20)
        elif op == 'RC': w |= put(7, 21, 25)
        elif op == 'RAsrc': w |= put(5, 11, 15)   # dst*: a hint, nothing may change
        elif op == 'STRM': w |= put(rng.randrange(4), 9, 10)
        elif op == 'UIM': w |= put(rng.randrange(32), 11, 15)
        elif op == 'UIM4': w |= put(rng.randrange(16), 12, 15)
        elif op == 'UIM3': w |= put(rng.randrange(8), 13, 15)
        elif op == 'UIM2': w |= put(rng.randrange(4), 14, 15)
        elif op == 'SIM': w |= put(rng.randrange(32), 11, 15)
        elif op == 'SHB': w |= put(rng.randrange(16), 22, 25)
        elif op == 'SH3': w |= put(rng.randrange(8), 23, 25)
        elif op == 'ST': w |= put(rng.randrange(2), 16, 16)
        elif op == 'SIX': w |= put(rng.randrange(16), 17, 20)
        elif op == 'MP': w |= put(rng.randrange(2), 15, 15)
        elif op == 'N': w |= put(rng.randrange(2, 8), 13, 15)
        elif op == 'BM16': w |= rng.getrandbits(10) << 6 | rng.getrandbits(5) << 16 | rng.getrandbits(1)
        elif op == 'BF': w |= put(rng.randrange(8), 6, 8)
        else: raise SystemExit(f'{mn}: operand {op} unknown to gen_vmx_oracle.py')
    if 'kRc' in flags:
        w |= put(rng.randrange(2), 21, 21)
    return (w & ~enc[1]) | enc[0]

flags_of = {r[0]: r[3] for r in rows}
cases = []   # (word, mnemonic, a, b, c, t, vscr, r5, r6, r7, r9, mem)
for mn, form, enc, flags, ops in rows:
    has_imm = any(o in IMM_OPS for o in ops) or 'kRc' in flags
    nwords = 6 if has_imm else 1
    per = 24 // nwords
    kind = 'fp' if mn in FP else 'int'
    for _ in range(nwords):
        w = make_word(mn, form, enc, flags, ops)
        for _ in range(per):
            vscr = rng.choice([0, 0x10000, 1, 0x10001])
            mem = rng.getrandbits(512)
            off = rng.randrange(0, 48)
            a, b, c, t = vec(kind), vec(kind), vec(kind), vec('int')
            if mn in ('vperm', 'vpermr', 'vpermxor', 'vsel') and rng.random() < 0.5:
                c = vec('int')
            cases.append((w, mn, a, b, c, t, vscr, gpr_in(), gpr_in(), gpr_in(), off, mem))

words = sorted(set(c[0] for c in cases))
widx = {w: i for i, w in enumerate(words)}
prog = ['#include <stdio.h>', '#include <stdint.h>', '#include <string.h>',
        # Offsets: a 0, b 16, c 32, t 48, vscr 64, t_out 80, vscr_out 96, gpr 112 (r5 r6 r7), r8 136, cr 144,
        # r9 152, mem 160 (64 bytes).
        'struct io { uint8_t a[16], b[16], c[16], t[16], vscr[16], t_out[16], vscr_out[16]; uint64_t r5, r6, r7, r8, cr, r9;'
        ' uint8_t mem[64]; } __attribute__((aligned(16)));',
        'typedef void (*fn)(struct io *);']
for w in words:
    prog.append(f'static void f{widx[w]}(struct io *p) {{ __asm__ volatile('
                '"li 9,0\\n mtcr 9\\n lvx 5,%0,9\\n li 9,16\\n lvx 3,%0,9\\n li 9,32\\n lvx 4,%0,9\\n li 9,48\\n lvx 1,%0,9\\n'
                ' li 9,64\\n lvx 5,%0,9\\n mtvscr 5\\n li 9,0\\n lvx 2,%0,9\\n'
                ' ld 5,112(%0)\\n ld 6,120(%0)\\n ld 7,128(%0)\\n li 8,0\\n ld 9,152(%0)\\n addi 10,%0,160\\n'
                f' .long 0x{w:08x}\\n'
                ' mfcr 9\\n std 9,144(%0)\\n std 8,136(%0)\\n li 9,80\\n stvx 1,%0,9\\n mfvscr 5\\n li 9,96\\n stvx 5,%0,9\\n'
                ' vxor 5,5,5\\n mtvscr 5\\n"'
                ' :: "b"(p) : "memory", "r5", "r6", "r7", "r8", "r9", "r10", "v1", "v2", "v3", "v4", "v5", "cr0", "cr1",'
                ' "cr2", "cr3", "cr4", "cr5", "cr6", "cr7"); }')
prog.append('static const fn fns[] = {' + ', '.join(f'f{i}' for i in range(len(words))) + '};')

def le16(v): return ', '.join(f'0x{(v >> (8 * i)) & 0xff:02x}' for i in range(16))
prog.append('static const struct { unsigned w; uint8_t a[16], b[16], c[16], t[16]; uint32_t vscr;'
            ' uint64_t r5, r6, r7, r9; uint8_t mem[64]; } cases[] = {')
for (w, mn, a, b, c, t, vscr, r5, r6, r7, r9, mem) in cases:
    memb = ', '.join(f'0x{(mem >> (8 * i)) & 0xff:02x}' for i in range(64))
    prog.append(f'  {{{widx[w]}, {{{le16(a)}}}, {{{le16(b)}}}, {{{le16(c)}}}, {{{le16(t)}}}, 0x{vscr:x},'
                f' 0x{r5:x}ull, 0x{r6:x}ull, 0x{r7:x}ull, {r9}, {{{memb}}}}},')
prog.append('};')
prog.append(r'''static void hex16(const uint8_t *p) { for (int i = 15; i >= 0; --i) printf("%02x", p[i]); }
int main(void) {
  static struct io io;
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    memset(&io, 0, sizeof io);
    memcpy(io.a, cases[i].a, 16); memcpy(io.b, cases[i].b, 16); memcpy(io.c, cases[i].c, 16);
    memcpy(io.t, cases[i].t, 16); memcpy(io.vscr, &cases[i].vscr, 4);
    io.r5 = cases[i].r5; io.r6 = cases[i].r6; io.r7 = cases[i].r7; io.r9 = cases[i].r9;
    memcpy(io.mem, cases[i].mem, 64);
    fns[cases[i].w](&io);
    hex16(io.t_out); uint32_t vs; memcpy(&vs, io.vscr_out, 4);
    printf(" %x %llx %llx ", vs, (unsigned long long)io.r8, (unsigned long long)io.cr);
    for (int k = 0; k < 64; ++k) printf("%02x", io.mem[k]);
    printf("\n");
  }
  return 0;
}''')
with tempfile.TemporaryDirectory() as tmp:
    src, exe = os.path.join(tmp, 'vmx.c'), os.path.join(tmp, 'vmx')
    open(src, 'w').write('\n'.join(prog) + '\n')
    subprocess.run(['powerpc64le-linux-gnu-gcc', '-O1', '-mcpu=power10', '-static', '-o', exe, src], check=True)
    out = subprocess.run(['qemu-ppc64le', '-cpu', 'power10', exe], check=True, capture_output=True,
                         text=True).stdout.split('\n')
print('// Generated by gen_vmx_oracle.py from qemu-ppc64le -cpu power10. Do not edit.')
print('// {word, a, b, c, t_in, vscr_in, r5, r6, r7, r9, mem_in, t_out, vscr_out, r8_out, cr_out, mem_out}')
def u128(v): return f'{{0x{v >> 64:x}ull, 0x{v & (2**64 - 1):x}ull}}'
# Memory only matters to the loads and stores; the others leave the buffer as it was (zero in the test).
def mem_words(v): return '{' + ', '.join(f'0x{(v >> (64 * i)) & (2**64 - 1):x}ull' for i in range(8)) + '}'
for (w, mn, a, b, c, t, vscr, r5, r6, r7, r9, mem), line in zip(cases, out):
    t_out, vs, r8, cr, mo = line.split()
    mo_v = int.from_bytes(bytes.fromhex(mo), 'little')
    ls = 'kLd' in flags_of[mn] or 'kSt' in flags_of[mn]
    if not ls:
        assert mo_v == mem, f'{mn} changed memory'
    print(f'    {{0x{w:08x}, {u128(a)}, {u128(b)}, {u128(c)}, {u128(t)}, 0x{vscr:x}, 0x{r5:x}ull, 0x{r6:x}ull, '
          f'0x{r7:x}ull, {r9}, {mem_words(mem) if ls else "{}"}, {u128(int(t_out, 16))}, 0x{vs}, 0x{r8}ull, 0x{cr}, '
          f'{mem_words(mo_v) if ls else "{}"}}},  // {mn}')
