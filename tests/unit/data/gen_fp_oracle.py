#!/usr/bin/env python3
# Regenerates fp_oracle.inc: builds a static ppc64le program that runs each binary floating-point case below
# under `qemu-ppc64le -cpu power10` (the oracle) and prints C++ initialisers
#   {word, fpscr_in, a, b, c, mem_in, t_out, fpscr_out, cr_out, mem_out, trapped}
# QEMU runs user code with MSR[FE0]=MSR[FE1]=1, so `trapped` says the instruction took the FP enabled
# exception Program interrupt (SIGFPE); t_out/fpscr_out are what it left behind.
# The instruction reads f2 (FRA), f3 (FRB), f4 (FRC) and writes f1 (FRT, preset to kSentinel) and/or CR field
# 1/6, FPSCR, or the word at r10 (mem). fpscr_in is what mffs reads after `mtfsf 0xff,f5,1,0` set it up.
# Usage: python3 gen_fp_oracle.py > fp_oracle.inc  (needs powerpc64le-linux-gnu-gcc and qemu-ppc64le; the build runs it,
# see tests/unit/meson.build)
import subprocess, sys, itertools, os, tempfile

SENTINEL = 0x5555555555555555
# Edge operands (double bits): zeros, denormals, normals at the ends, single-precision boundaries, values
# that round, infinities, and NaNs with payloads.
V = [0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
     0x3ff0000000000000, 0xbff0000000000000, 0x4008000000000000, 0x3fb999999999999a, 0x3ff0000010000000,
     0x3ff0000000000001, 0x7fefffffffffffff, 0xffefffffffffffff, 0x47efffffe0000000, 0x47efffffffffffff,
     0x36a0000000000000, 0x380fffffffffffff, 0x43e0000000000000, 0xc3e0000000000001, 0x41efffffffff0000,
     0xc004000000000000, 0x3fe0000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000001,
     0xfff8000000000002, 0x7ff0000000000003, 0xfff4000000000004, 0x3ff8000000000000, 0x0008000000000000,
     0x4340000000000001, 0x43f0000000000000]
SMALL = [V[i] for i in (0, 1, 2, 4, 5, 7, 8, 11, 22, 24, 26, 29)]
TINY = [V[i] for i in (0, 1, 5, 7, 8, 11, 22, 24, 26, 2)]

# FPSCR set-ups: rounding modes, all five enables, and sticky bits already set.
def ibm(n): return 1 << (63 - n)
VE, OE, UE, ZE, XE = ibm(56), ibm(57), ibm(58), ibm(59), ibm(60)
ALLEN = VE | OE | UE | ZE | XE
STICKY = ibm(35) | ibm(36) | ibm(37) | ibm(38) | ibm(39) | ibm(44) | ibm(55) | ibm(45) | ibm(46) | (0x11 << 12)
CONFIGS = [0, 1, 2, 3, ALLEN, ALLEN | 1, ALLEN | 2 | STICKY, STICKY | 3]

def A(op, xo, frt=1, fra=2, frb=3, frc=4, rc=1):
    return op << 26 | frt << 21 | fra << 16 | frb << 11 | frc << 6 | xo << 1 | rc
def X(op, xo, rt=1, ra=0, rb=3, rc=1):
    return op << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1 | rc

cases = []   # (word, name, fpscr_in, a, b, c, mem_in)
def add(word, name, fpscr, a=SENTINEL, b=SENTINEL, c=SENTINEL, mem=0):
    cases.append((word, name, fpscr, a, b, c, mem))

for op, sfx in ((63, ''), (59, 's')):
    for name, xo in (('fadd', 21), ('fsub', 20), ('fdiv', 18)):
        for i, (a, b) in enumerate(itertools.product(V, V)):
            add(A(op, xo, frc=0), name + sfx + '.', CONFIGS[i % len(CONFIGS)], a=a, b=b)
    for i, (a, c) in enumerate(itertools.product(V, V)):
        add(A(op, 25, frb=0), 'fmul' + sfx + '.', CONFIGS[i % len(CONFIGS)], a=a, c=c)
    for name, xo in (('fsqrt', 22), ('fre', 24), ('frsqrte', 26)):
        for b in V:
            for cfg in CONFIGS:
                add(A(op, xo, fra=0, frc=0), name + sfx + '.', cfg, b=b)
    for name, xo in (('fmadd', 29), ('fmsub', 28), ('fnmadd', 31), ('fnmsub', 30)):
        for i, (a, c, b) in enumerate(itertools.product(SMALL, SMALL, SMALL)):
            add(A(op, xo), name + sfx + '.', CONFIGS[i % len(CONFIGS)], a=a, b=b, c=c)
# Exact roundings near a rounding boundary for fma: products whose low half decides.
for name, xo in (('fmadd', 29), ('fnmsub', 30)):
    for a, c, b in itertools.product([0x3ff0000000000001, 0x3fefffffffffffff, 0x4000000000000001],
                                     [0x3ff0000000000001, 0xbff0000000000003], [0xbff0000000000000, 0x3ca0000000000000, 0x0000000000000001]):
        for cfg in range(4):
            add(A(63, xo), name + '.', cfg, a=a, b=b, c=c)
            add(A(59, xo), name + 's.', cfg, a=a, b=b, c=c)
for i, (a, c, b) in enumerate(itertools.product(TINY, TINY, TINY)):
    add(A(63, 23), 'fsel.', 0, a=a, b=b, c=c)
unary = [('frsp', 63, 12), ('fctid', 63, 814), ('fctidz', 63, 815), ('fctidu', 63, 942), ('fctiduz', 63, 943),
         ('fctiw', 63, 14), ('fctiwz', 63, 15), ('fctiwu', 63, 142), ('fctiwuz', 63, 143), ('fcfid', 63, 846),
         ('fcfidu', 63, 974), ('fcfids', 59, 846), ('fcfidus', 59, 974), ('frin', 63, 392), ('friz', 63, 424),
         ('frip', 63, 456), ('frim', 63, 488), ('fmr', 63, 72), ('fneg', 63, 40), ('fabs', 63, 264), ('fnabs', 63, 136)]
INTS = [0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x0020000000000001, 0x0020000000000003,
        0x00ffffffffffffff, 0x1000000000000081, 0xfffffffffffffffd, 0x0000000001000001, 0x000000000100000f]
for name, op, xo in unary:
    for b in V + (INTS if name.startswith('fcfid') else []):
        for cfg in CONFIGS:
            add(X(op, xo), name + '.', cfg, b=b)
for name, xo, rc in (('fcpsgn', 8, 1), ('fmrgew', 966, 0), ('fmrgow', 838, 0)):
    for a, b in itertools.product(TINY, TINY):
        add(X(63, xo, ra=2, rc=rc), name, 0, a=a, b=b)
for name, xo in (('fcmpu', 0), ('fcmpo', 32), ('ftdiv', 128)):
    for i, (a, b) in enumerate(itertools.product(V, V)):
        add(X(63, xo, rt=6 << 2, ra=2, rc=0), name, (0, VE, STICKY)[i % 3], a=a, b=b)
for b in V:
    add(X(63, 160, rt=6 << 2, rc=0), 'ftsqrt', 0, b=b)
# FPSCR instructions, from FPSCR values with sticky bits, enables, RN, DRN.
FPS = [0, STICKY, ALLEN | 3, STICKY | ALLEN, 0xffffffff & ~ibm(52), (5 << 32) | 2 | ibm(61), ibm(33) | ibm(34), ibm(32)]
FRBS = [0, 0xffffffffffffffff, 0x00000007000000f3, 0x00000002fffff0ff, 0x0000000080000000, 0x1234567876543210]
for fps in FPS:
    add(X(63, 583, ra=0), 'mffs.', fps)
    for ra, name in ((1, 'mffsce'), (24, 'mffsl')):
        add(X(63, 583, ra=ra, rb=0, rc=0), name, fps)
    for b in FRBS:
        add(X(63, 583, ra=20, rc=0), 'mffscdrn', fps, b=b)
        add(X(63, 583, ra=22, rc=0), 'mffscrn', fps, b=b)
    for imm in (0, 3, 7):
        add(X(63, 583, ra=21, rb=imm, rc=0), 'mffscdrni', fps)
    for imm in (0, 1, 3):
        add(X(63, 583, ra=23, rb=imm, rc=0), 'mffscrni', fps)
    for bfa in range(8):
        add(X(63, 64, rt=6 << 2, ra=bfa << 2, rb=0, rc=0), 'mcrfs', fps)
    for bt in range(32):
        add(X(63, 70, rt=bt, rb=0), 'mtfsb0.', fps)
        add(X(63, 38, rt=bt, rb=0), 'mtfsb1.', fps)
    for bf, w, u in ((0, 0, 0xf), (0, 0, 0x9), (1, 0, 0xf), (4, 0, 0xa), (7, 0, 3), (7, 1, 5), (5, 0, 0xf), (3, 0, 1)):
        add(63 << 26 | bf << 23 | w << 16 | u << 12 | 134 << 1 | 1, 'mtfsfi.', fps)
    for b in FRBS + [ALLEN | STICKY, ibm(32) | ibm(33) | ibm(34)]:
        for flm, l, w in ((0xff, 0, 0), (0x80, 0, 0), (0x01, 0, 0), (0x40, 0, 0), (0x10, 0, 0), (0xff, 1, 0), (0x08, 0, 1), (0xff, 0, 1)):
            add(63 << 26 | l << 25 | flm << 17 | w << 16 | 3 << 11 | 711 << 1 | 1, 'mtfsf.', fps, b=b)
# Single-precision loads and stores: lfs reads mem_in, stfs writes mem from FRB.
for b in V + [0x3690000000000000, 0x3680000000000000, 0x36affffffffffffe, 0x47f0000000000000, 0x0000000000000000 | 1 << 60]:
    add(52 << 26 | 3 << 21 | 10 << 16, 'stfs', 0, b=b)
    add(31 << 26 | 3 << 21 | 0 << 16 | 10 << 11 | 983 << 1, 'stfiwx', 0, b=b)
for m in [0, 0x80000000, 1, 0x807fffff, 0x00400000, 0x7f800000, 0xff800001, 0x7fc00000, 0x7fa00001, 0x3f800000, 0x00000003]:
    add(48 << 26 | 1 << 21 | 10 << 16, 'lfs', 0, mem=m)
    add(31 << 26 | 1 << 21 | 0 << 16 | 10 << 11 | 855 << 1, 'lfiwax', 0, mem=m)
    add(31 << 26 | 1 << 21 | 0 << 16 | 10 << 11 | 887 << 1, 'lfiwzx', 0, mem=m)

SETUP_MTFSF = 0xfffe2d8e   # mtfsf 0xff,f5,1,0
words = sorted(set(c[0] for c in cases))
widx = {w: i for i, w in enumerate(words)}
prog = ['#include <stdio.h>', '#include <stdint.h>', '#include <signal.h>', '#include <ucontext.h>',
        # QEMU's linux-user runs with MSR[FE0]=MSR[FE1]=1: an enabled exception is a SIGFPE at the
        # instruction (precise mode). The handler notes the word it stopped at and steps over it.
        # QEMU's linux-user restores only FPSCR's low word on sigreturn (DRN, bits 29:31, is lost), so the
        # handler also keeps the FPSCR the signal frame holds, whole, for the case instruction's trap.
        '#include <string.h>',
        'static volatile uint32_t trap_word;',
        'static volatile uint64_t trap_fpscr;',
        'static void on_fpe(int sig, siginfo_t *si, void *ctx) { ucontext_t *uc = ctx; (void)sig; (void)si;',
        '  uint64_t f; memcpy(&f, &uc->uc_mcontext.fp_regs[32], 8); trap_fpscr = f;',
        '  uint32_t *nip = (uint32_t *)uc->uc_mcontext.gp_regs[32]; trap_word = *nip; uc->uc_mcontext.gp_regs[32] += 4; }',
        'struct io { uint64_t a, b, c, t, fps, t_out, fps_out, cr, fps_pre; uint32_t mem; uint64_t zero; };',
        'typedef void (*fn)(struct io *);']
for w in words:
    prog.append(f'static void f{widx[w]}(struct io *p) {{ __asm__ volatile('
                '"li 9,0\\n mtcr 9\\n lfd 2,0(%0)\\n lfd 3,8(%0)\\n lfd 4,16(%0)\\n lfd 1,24(%0)\\n lfd 5,32(%0)\\n'
                ' mtfsf 0xff,5,1,0\\n mffs 5\\n stfd 5,64(%0)\\n addi 10,%0,72\\n'
                f' .long 0x{w:08x}\\n'
                ' mffs 5\\n stfd 1,40(%0)\\n stfd 5,48(%0)\\n mfcr 9\\n std 9,56(%0)\\n lfd 5,80(%0)\\n mtfsf 0xff,5,1,0\\n"'
                ' :: "b"(p) : "memory", "r9", "r10", "fr1", "fr2", "fr3", "fr4", "fr5", "cr0", "cr1", "cr6"); }')
prog.append('static const fn fns[] = {' + ', '.join(f'f{i}' for i in range(len(words))) + '};')
prog.append('static const struct { unsigned w; uint64_t fps, a, b, c; uint32_t mem; } cases[] = {')
for (w, name, fps, a, b, c, mem) in cases:
    prog.append(f'  {{{widx[w]}, 0x{fps:x}ull, 0x{a:x}ull, 0x{b:x}ull, 0x{c:x}ull, 0x{mem:x}u}},')
prog.append('};')
prog.append('''int main(void) {
  struct sigaction sa = {0}; sa.sa_sigaction = on_fpe; sa.sa_flags = SA_SIGINFO | SA_NODEFER; sigaction(SIGFPE, &sa, 0);
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    trap_word = 0;
    struct io io = {cases[i].a, cases[i].b, cases[i].c, SENTINELull, cases[i].fps, 0, 0, 0, 0, cases[i].mem};
    fns[cases[i].w](&io);
    if (trap_word && trap_word != SETUP_MTFSF)   /* the case instruction trapped: its FPSCR's high word */
      io.fps_out = (trap_fpscr & 0xffffffff00000000ull) | (io.fps_out & 0xffffffffull);
    printf("%llx %llx %llx %llx %x %x\\n", (unsigned long long)io.fps_pre, (unsigned long long)io.t_out,
           (unsigned long long)io.fps_out, (unsigned long long)io.cr, io.mem, trap_word);
  }
  return 0;
}'''.replace('SENTINEL', f'0x{SENTINEL:x}').replace('SETUP_MTFSF', f'0x{SETUP_MTFSF:x}u'))
with tempfile.TemporaryDirectory() as tmp:
    src, exe = os.path.join(tmp, 'fp.c'), os.path.join(tmp, 'fp')
    open(src, 'w').write('\n'.join(prog) + '\n')
    subprocess.run(['powerpc64le-linux-gnu-gcc', '-O1', '-static', '-o', exe, src], check=True)
    out = subprocess.run(['qemu-ppc64le', '-cpu', 'power10', exe], check=True, capture_output=True,
                         text=True).stdout.split('\n')
print('// Generated by gen_fp_oracle.py from qemu-ppc64le -cpu power10 (QEMU 7.2). Do not edit.')
print('// {word, fpscr_in, a, b, c, mem_in, t_out, fpscr_out, cr_out, mem_out, trapped}')
for (w, name, fps, a, b, c, mem), line in zip(cases, out):
    pre, t, fo, cr, mo, trap = (int(x, 16) for x in line.split())
    # The set-up mtfsf may trap too (QEMU raises on mtfsf when the enables it writes meet FX, see
    # fp_oracle_differences.md); fpscr_in is what it left either way.
    assert trap in (0, w, SETUP_MTFSF), f'{name}: trapped at 0x{trap:x}'
    print(f'    {{0x{w:08x}, 0x{pre:x}ull, 0x{a:x}ull, 0x{b:x}ull, 0x{c:x}ull, 0x{mem:x}u, 0x{t:x}ull, 0x{fo:x}ull, 0x{cr:x}u, 0x{mo:x}u, {int(trap == w)}}},  // {name}')
