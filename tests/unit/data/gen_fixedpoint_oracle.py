#!/usr/bin/env python3
# Regenerates fixedpoint_oracle.inc: builds a static ppc64le program that runs each (instruction, inputs)
# case below under `qemu-ppc64le -cpu power10` (the oracle) and prints what it computed as C++ initialisers
# {word, r4, r5, r6, xer_in, cr_in, r3_in, r3_out, xer_out, cr_out}. The instruction reads r4/r5/r6 and
# writes r3 (or only CR/XER). Usage: python3 gen_fixedpoint_oracle.py > fixedpoint_oracle.inc
# (needs powerpc64le-linux-gnu-gcc/as/objdump and qemu-ppc64le; runs in a scratch directory).
import subprocess, sys, itertools
from ppc_asm import assemble_words
V = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
     0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe, 0x0123456789abcdef, 0xfedcba9876543210,
     0x00ff00ff00ff00ff, 0x8000000080000000, 0x5555555555555555, 0x13, 0xfffffff0]
def pairs(vs):
    return list(itertools.product(vs, vs))
cases = []   # (asm, ra, rb, rc, xer, cr, rt_in)
XER_SO=1<<31; XER_OV=1<<30; XER_CA=1<<29; XER_OV32=1<<19; XER_CA32=1<<18
def add(asm, ra=0, rb=0, rc=0, xer=0, cr=0, rt=0): cases.append((asm, ra, rb, rc, xer, cr, rt))
small = [0, 1, 0x7f, 0x80, 0xffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x0123456789abcdef, 0xfedcba9876543210, 0x7fffffff, 0x80000000, 0x13, 0xfffffff0, 0x100000000]
import os, tempfile
os.chdir(tempfile.mkdtemp())
sel = sys.argv[1] if len(sys.argv) > 1 else 'all'
groups = {}
def group(name):
    def deco(f): groups[name] = f; return f
    return deco
@group('bitmanip')
def _():
    for m in ['brh', 'brw', 'brd']:
        for a in [0x0123456789abcdef, 0xfedcba9876543210, 0, 0xff]:
            add(f'{m} 3,4', ra=a)
    for m in ['pdepd', 'pextd', 'cfuged', 'cntlzdm', 'cnttzdm', 'bpermd']:
        for a, b in [(0x0123456789abcdef, 0xff00ff00ff00ff00), (0xfedcba9876543210, 0x5555555555555555),
                     (0xffffffffffffffff, 0), (0xffffffffffffffff, 0xffffffffffffffff), (0, 0xffffffffffffffff),
                     (0x13, 0x8000000000000001), (0x00000000ffff0000, 0x0f0f0f0f0f0f0f0f), (0x8000000000000000, 0xf000000000000000),
                     (0x1, 0xf), (0xf0, 0xff)]:
            add(f'{m} 3,4,5', ra=a, rb=b)
    for a, b in [(0x0001020304050607, 0x8040201008040201), (0x3f3e3d3c40ff0800, 0xfedcba9876543210),
                 (0x0008101820283038, 0xff00ff00ff00ff00)]:
        add('bpermd 3,4,5', ra=a, rb=b)
    for l in [0, 1]:
        for a, b in [(0x41, 0x5a41), (0x40, 0x5a41), (0x5b, 0x5a41), (0x35, 0x39305a41), (0x35, 0x3930), (0x1234, 0x3534),
                     (0x7a, 0x7a617a61ffff), (0xff, 0xff00), (0, 0), (0x30, 0x39300000)]:
            add(f'cmprb 1,{l},4,5', ra=a, rb=b)
    for a, b in [(0x41, 0x4100000000000000), (0x41, 0x4242424242424242), (0x1241, 0x0041), (0, 1), (0, 0x100), (0xff, 0xff)]:
        add('cmpeqb 2,4,5', ra=a, rb=b, xer=XER_SO)
@group('setbc')
def _():
    for m in ['setbc', 'setbcr', 'setnbc', 'setnbcr']:
        for bi, cr in [(5, 0x04000000), (5, 0), (31, 1), (31, 0xfffffffe), (0, 0x80000000)]:
            add(f'{m} 3,{bi}', cr=cr, rt=0x1234)
@group('madd')
def _():
    for m in ['maddld', 'maddhd', 'maddhdu']:
        for a, b, c in [(2, 3, 4), (0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff), (0x8000000000000000, 0x8000000000000000, 0),
                        (0x7fffffffffffffff, 2, 0x8000000000000000), (0x0123456789abcdef, 0xfedcba9876543210, 0x5555555555555555),
                        (0xffffffffffffffff, 1, 1), (0, 0, 0xffffffffffffffff), (0x100000000, 0x100000000, 0xffffffffffffffff)]:
            add(f'{m} 3,4,5,6', ra=a, rb=b, rc=c)
@group('dive')
def _():
    for m in ['divwe', 'divweu', 'divde', 'divdeu']:
        for v in ['', 'o', '.', 'o.']:
            for a, b in [(1, 2), (1, 1), (0, 0), (5, 0), (0xffffffff, 0xfffffffe), (0x80000000, 0xffffffff), (0xffffffff, 2),
                         (3, 7), (0x8000000000000000, 0xffffffffffffffff), (0xffffffffffffffff, 0x7fffffffffffffff),
                         (1, 0x8000000000000000), (0x0123456789abcdef, 0xfedcba9876543210), (0x7fffffff, 0x80000000), (0x40000000, 0x80000001)]:
                add(f'{m}{v} 3,4,5', ra=a, rb=b, xer=0)
            add(f'{m}{v} 3,4,5', ra=1, rb=0, xer=XER_SO)
@group('addex')
def _():
    for a, b in [(1, 2), (0xffffffffffffffff, 1), (0xffffffff, 1), (0x7fffffffffffffff, 1), (0xffffffffffffffff, 0xffffffffffffffff), (0, 0)]:
        for x in [0, XER_OV, XER_OV | XER_SO | XER_CA, XER_OV32]:
            add('addex 3,4,5,0', ra=a, rb=b, xer=x)
@group('mul')
def _():
    for m in ['mulhw', 'mulhwu', 'mulhw.', 'mulhwu.', 'mulhd', 'mulhdu.']:
        for a, b in [(0xffffffff, 0xffffffff), (0x80000000, 0x80000000), (0x7fffffff, 0x7fffffff), (0x0123456789abcdef, 0xfedcba9876543210), (0xffffffff, 2)]:
            add(f'{m} 3,4,5', ra=a, rb=b, xer=XER_SO)
@group('crf')
def _():
    for w in ['mtocrf 0x20,4', 'mtocrf 0x01,4', 'mtcrf 0x22,4', '.long 0x7c922120', '.long 0x7c902120', 'mfocrf 3,0x20', 'mfocrf 3,0x01', '.long 0x7c722026', '.long 0x7c702026', 'mfcr 3', 'mcrxrx 3']:
        add(w, ra=0x12345678, cr=0x9abcdef1, rt=0x5555, xer=XER_OV|XER_CA32)
@group('bcd')
def _():
    for a, b in [(0x1234, 0x5678), (0x9999999999999999, 0x1), (0x0999, 0x0001), (0, 0), (0xffffffffffffffff, 1),
                 (0x8000000000000000, 0x8000000000000000), (0x0123456789abcdef, 0xfedcba9876543210), (0x5, 0x5),
                 (0x99, 0x11), (0x4444444444444444, 0x5555555555555555)]:
        add('addg6s 3,4,5', ra=a, rb=b)
    dpd = [0, 1, 0x3ff, 0x3fe, 0x16e, 0x0ff, 0x07e, 0x06f, 0x2ee, 0x3ee, 0x26f, 0x36e, 0x17f, 0x1ff, 0x2ff, 0x0ef,
           0x06e, 0x0fe, 0x16f, 0x1ee, 0x1fe, 0x27e, 0x2fe, 0x37e, 0x3fe, 0x00a, 0x08b, 0x10c, 0x18d]
    for i in range(0, len(dpd), 2):
        v = dpd[i] << 10 | dpd[(i + 1) % len(dpd)]
        add('cdtbcd 3,4', ra=v | (v ^ 0x5a5a5) << 32 | 0xfff00000fff00000)
    for v in [0x123456, 0x999999, 0x000000, 0x987654, 0x808080, 0x089089, 0x900900, 0xabcdef, 0xfffffe, 0x1a2b3c,
              0x6c6c6c, 0x777888, 0x888888]:
        add('cbcdtd 3,4', ra=v | (v ^ 0x123456) << 32 | 0xff000000ff000000)

for g in (groups if sel == 'all' else sel.split(',')):
    groups[g]()
# assemble each case alone to get its word
src = '\n'.join(c[0] for c in cases) + '\n'
words = assemble_words(src)
assert len(words) == len(cases), (len(words), len(cases))
out = ['#include <stdio.h>', '#include <stdint.h>', 'typedef uint64_t u64;', 'int main(void){ u64 rt, xer, cr;']
for (asm, ra, rb, rc, xer, cr, rtin), w in zip(cases, words):
    out.append(f'''asm volatile("mtxer %[x]\\n mtcr %[c]\\n mr 3,%[t]\\n mr 4,%[a]\\n mr 5,%[b]\\n mr 6,%[d]\\n .long {w:#x}\\n mr %[rt],3\\n mfxer %[xo]\\n mfcr %[co]"
 : [rt]"=&r"(rt), [xo]"=&r"(xer), [co]"=&r"(cr) : [x]"b"({xer:#x}ull), [c]"b"({cr:#x}ull), [t]"b"({rtin:#x}ull), [a]"b"({ra:#x}ull), [b]"b"({rb:#x}ull), [d]"b"({rc:#x}ull)
 : "r3","r4","r5","r6","cr0","cr1","cr2","cr3","cr4","cr5","cr6","cr7","xer","memory");
printf("    {{0x%08x, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llxull, 0x%llx}},  // %s\\n", {w:#x}u, {ra:#x}ull, {rb:#x}ull, {rc:#x}ull, {xer:#x}ull, {cr:#x}ull, {rtin:#x}ull, (unsigned long long)rt, (unsigned long long)xer, (unsigned long long)cr, "{asm}");''')
out.append('return 0; }')
open('p.c', 'w').write('\n'.join(out))
subprocess.check_call(['powerpc64le-linux-gnu-gcc', '-O1', '-static', '-mcpu=power10', 'p.c', '-o', 'p'])
print('// Generated by gen_fixedpoint_oracle.py from qemu-ppc64le -cpu power10 (QEMU 7.2). Do not edit.')
sys.stdout.write(subprocess.check_output(['qemu-ppc64le', '-cpu', 'power10', './p'], text=True))
