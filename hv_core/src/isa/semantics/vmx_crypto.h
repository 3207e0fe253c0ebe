// Book I 6.11 (ISA 2.07 vector crypto): AES rounds (FIPS-197) on the state held in the VR as 16 bytes in
// column order (byte i is row i%4 of column i/4), the SHA-2 sigma functions (FIPS 180-4), and carry-less
// multiply-sum (vpmsum*, used for CRC and GCM).
#pragma once
#include <array>

#include "isa/semantics/vmx_common.h"

namespace phv::isa::sem::vcrypto {

// GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1.
constexpr uint8_t xtime(uint8_t a) { return uint8_t(a << 1 ^ ((a & 0x80) ? 0x1b : 0)); }
constexpr uint8_t gmul(uint8_t a, uint8_t b) {
    uint8_t r = 0;
    for (; b; b >>= 1, a = xtime(a))
        if (b & 1)
            r ^= a;
    return r;
}
// The S-box from its definition: the multiplicative inverse (x^254; 0 maps to 0) followed by the affine map
// b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63 (FIPS-197 5.1.1).
constexpr std::array<uint8_t, 256> make_sbox() {
    std::array<uint8_t, 256> s{};
    for (unsigned x = 0; x < 256; ++x) {
        uint8_t inv = 1, sq = uint8_t(x);
        for (unsigned e = 254; e; e >>= 1, sq = gmul(sq, sq))
            if (e & 1)
                inv = gmul(inv, sq);
        const unsigned b = x ? inv : 0;
        unsigned r = 0x63;
        for (unsigned i = 0; i < 5; ++i)
            r ^= (b << i | b >> (8 - i)) & 0xff;
        s[x] = uint8_t(r);
    }
    return s;
}
constexpr std::array<uint8_t, 256> make_inv(const std::array<uint8_t, 256> &s) {
    std::array<uint8_t, 256> inv{};
    for (unsigned x = 0; x < 256; ++x)
        inv[s[x]] = uint8_t(x);
    return inv;
}
inline constexpr std::array<uint8_t, 256> kSbox = make_sbox();
inline constexpr std::array<uint8_t, 256> kInvSbox = make_inv(kSbox);
static_assert(kSbox[0x00] == 0x63 && kSbox[0x01] == 0x7c && kSbox[0x53] == 0xed && kSbox[0xff] == 0x16,
              "AES S-box (FIPS-197 Figure 7)");

using State = std::array<uint8_t, 16>;
inline State to_state(u128 v) {
    State s;
    for (unsigned i = 0; i < 16; ++i)
        s[i] = elem<uint8_t>(v, i);
    return s;
}
inline u128 from_state(const State &s) {
    u128 v = 0;
    for (unsigned i = 0; i < 16; ++i)
        set_elem<uint8_t>(v, i, s[i]);
    return v;
}
inline State sub_bytes(State s, const std::array<uint8_t, 256> &box) {
    for (auto &b : s)
        b = box[b];
    return s;
}
// Row r rotates left by r columns (right for the inverse).
template <bool Inverse>
State shift_rows(const State &s) {
    State t;
    for (unsigned c = 0; c < 4; ++c)
        for (unsigned r = 0; r < 4; ++r)
            t[4 * c + r] = s[4 * ((Inverse ? c + 4 - r : c + r) % 4) + r];
    return t;
}
template <bool Inverse>
State mix_columns(const State &s) {
    constexpr uint8_t m[4] = {Inverse ? uint8_t(0x0e) : uint8_t(2), Inverse ? uint8_t(0x0b) : uint8_t(3),
                              Inverse ? uint8_t(0x0d) : uint8_t(1), Inverse ? uint8_t(0x09) : uint8_t(1)};
    State t;
    for (unsigned c = 0; c < 4; ++c)
        for (unsigned r = 0; r < 4; ++r) {
            uint8_t x = 0;
            for (unsigned k = 0; k < 4; ++k)
                x ^= gmul(m[(k + 4 - r) % 4], s[4 * c + k]);
            t[4 * c + r] = x;
        }
    return t;
}

// vcipher/vcipherlast: SubBytes, ShiftRows, [MixColumns,] AddRoundKey(VRB).
template <bool Last>
u128 cipher(u128 a, u128 b) {
    State s = shift_rows<false>(sub_bytes(to_state(a), kSbox));
    if constexpr (!Last)
        s = mix_columns<false>(s);
    return from_state(s) ^ b;
}
// vncipher/vncipherlast: InvShiftRows, InvSubBytes, AddRoundKey(VRB), [InvMixColumns] (the ISA's order).
template <bool Last>
u128 ncipher(u128 a, u128 b) {
    const u128 v = from_state(sub_bytes(shift_rows<true>(to_state(a)), kInvSbox)) ^ b;
    if constexpr (Last)
        return v;
    return from_state(mix_columns<true>(to_state(v)));
}
inline u128 sbox(u128 a, u128) { return from_state(sub_bytes(to_state(a), kSbox)); }

// vshasigmaw/vshasigmad VRT,VRA,ST,SIX: ST (bit 16) picks the lower-case sigma (message schedule) or the
// upper-case Sigma (compression); SIX (bits 17:20) picks 0 or 1 per element (words: SIX bit i; doublewords:
// SIX bit 2i).
constexpr uint32_t rotr32(uint32_t x, int n) { return std::rotr(x, n); }
constexpr uint64_t rotr64(uint64_t x, int n) { return std::rotr(x, n); }
template <typename T>
u128 shasigma(const Vcpu &c, const Decoded &d) {
    const bool st = bits(d.word, 16, 16);
    const unsigned six = bits(d.word, 17, 20);
    const u128 a = vr(c, d.ra);
    u128 r = 0;
    for (unsigned i = 0; i < kLanes<T>; ++i) {
        const T x = elem<T>(a, i);
        const bool one = (six >> (3 - (sizeof(T) == 4 ? i : 2 * i))) & 1;
        T y;
        if constexpr (sizeof(T) == 4) {
            if (!st)
                y = one ? rotr32(x, 17) ^ rotr32(x, 19) ^ (x >> 10) : rotr32(x, 7) ^ rotr32(x, 18) ^ (x >> 3);
            else
                y = one ? rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25) : rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22);
        } else {
            if (!st)
                y = one ? rotr64(x, 19) ^ rotr64(x, 61) ^ (x >> 6) : rotr64(x, 1) ^ rotr64(x, 8) ^ (x >> 7);
            else
                y = one ? rotr64(x, 14) ^ rotr64(x, 18) ^ rotr64(x, 41) : rotr64(x, 28) ^ rotr64(x, 34) ^ rotr64(x, 39);
        }
        set_elem<T>(r, i, y);
    }
    return r;
}

// Carry-less product of two w-bit values.
constexpr u128 clmul(uint64_t a, uint64_t b) {
    u128 r = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((b >> i) & 1)
            r ^= u128(a) << i;
    return r;
}
// vpmsum[bhwd]: each result element (twice the width of T) is the XOR of the carry-less products of the two
// T elements in it.
template <typename T>
u128 pmsum(u128 a, u128 b) {
    constexpr unsigned w = 8 * sizeof(T);
    u128 r = 0;
    for (unsigned i = 0; i < kLanes<T> / 2; ++i) {
        const u128 p = clmul(uint64_t(elem<T>(a, 2 * i)), uint64_t(elem<T>(b, 2 * i))) ^
                       clmul(uint64_t(elem<T>(a, 2 * i + 1)), uint64_t(elem<T>(b, 2 * i + 1)));
        if constexpr (w == 64)
            r = p;
        else
            r |= (p & ((u128(1) << (2 * w)) - 1)) << (128 - 2 * w * (i + 1));
    }
    return r;
}

} // namespace phv::isa::sem::vcrypto
