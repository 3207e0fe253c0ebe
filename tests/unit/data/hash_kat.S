# Known answers for HashDigest (test_hash.cpp), from QEMU's implementation of hashst: a pseries firmware
# image, big-endian, entered at 0x100 in privileged state. Each `kat` sets HASHKEYR, runs hashst and loads the
# doubleword it stored into a GPR (r15..r23); r14 reads HASHKEYR back. gen_hash_kat.sh runs it and prints them.
.macro li64 r, v
  lis \r, ((\v) >> 48) & 0xffff
  ori \r, \r, ((\v) >> 32) & 0xffff
  sldi \r, \r, 32
  oris \r, \r, ((\v) >> 16) & 0xffff
  ori \r, \r, (\v) & 0xffff
.endm
.macro kat out, key, ra, rb
  li64 9, \key
  mtspr 468, 9
  li64 3, \ra
  li64 4, \rb
  hashst 4, -8(3)
  ld \out, -8(3)
.endm
  .org 0x100
_start:
  li64 9, 0x0123456789abcdef
  mtspr 468, 9
  mfspr 14, 468
  kat 15, 0, 0x100000, 0
  kat 16, 0x0123456789abcdef, 0x100000, 0
  kat 17, 0, 0x100000, 0x1122334455667788
  kat 18, 0x0123456789abcdef, 0x123458, 0xfedcba9876543210
  kat 19, 0xffffffffffffffff, 0x7ff0000, 0xffffffffffffffff
  kat 20, 0x8000000000000001, 0x200008, 0x8000000000000000
  kat 21, 0x5555aaaa3333cccc, 0x300000, 0x0000000000000001
  kat 22, 0x0f1e2d3c4b5a6978, 0x400000, 0xdeadbeefcafebabe
  kat 23, 0x1111111111111111, 0x1000000, 0x00000000ffffffff
  li 24, 0x77   # done marker
  b .
