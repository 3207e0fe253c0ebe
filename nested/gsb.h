// The PAPR nestedv2 Guest State Buffer (GSB): the element table and a strict parser.
//
// A GSB is a big-endian count (4 bytes) followed by that many elements, each an id (2 bytes), the length of
// its value (2 bytes) and the value. The L1 hands the L0 such buffers in H_GUEST_GET_STATE,
// H_GUEST_SET_STATE and the registered H_GUEST_RUN_VCPU input buffer; the L0 fills the output buffer.
//
// This header and gsb.cpp / gsb_table.cpp hold no hypervisor state: the table is constant data and the
// parser a pure function of its input bytes, so a fuzzer can drive parse_gsb() directly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace phv::nested {

// PAPR hcall return codes the nested API uses (Linux hvcall.h names, without the H_ prefix).
namespace hret {
constexpr int64_t kSuccess = 0, kBusy = 1, kNotAvailable = 3, kFunction = -2, kParameter = -4, kNoMem = -9,
                  kAuthority = -10, kNotEnoughResources = -44, kP2 = -55, kP3 = -56, kP4 = -57, kP5 = -58,
                  kUnsupported = -67, kState = -75, kInUse = -77, kInvalidElementId = -79,
                  kInvalidElementSize = -80, kInvalidElementValue = -81, kInputBufferNotDefined = -82,
                  kInputBufferTooSmall = -83, kOutputBufferNotDefined = -84, kOutputBufferTooSmall = -85,
                  kPartitionPageTableNotDefined = -86, kGuestVcpuStateNotHvOwned = -87,
                  kUnsupportedFlag = -256;
} // namespace hret

// Which call an element belongs to (kvm-nested.rst, "Thread Guest Scope"): the whole L2 (GET/SET with the
// guest-wide flag), one vcpu, or the L0 itself (GET with the host-wide flag). Nop elements fit any call.
enum class Scope : uint8_t { Nop, Guest, Vcpu, Host };

// Where a vcpu element lives in the L2's architected state; the L0 side (nested/state.cpp) applies it.
enum class Target : uint8_t {
    None,          // nothing in CPU state (meta elements: buffers, sizes, tables, counters)
    Gpr,           // GPR index
    Vsr,           // VSR index (16 bytes: doubleword 0 then doubleword 1)
    Spr,           // SPR number index
    Nia, Msr, Lr, Ctr, Xer, Cr, Fpscr, Vscr,
    DecExpiry,     // absolute DEC expiry, L1 timebase
    HdecExpiry,    // absolute time limit of a run, L1 timebase
    Ignored,       // accepted and kept, but no facility of phv's uses it (see README)
};

struct ElementInfo {
    uint16_t first, last;   // id range the row covers (GPR0-31, VSR0-63 ... are one row each)
    const char *name;
    uint16_t size;          // value length in bytes; 0 for the Nop element (any length)
    uint16_t alt_size;      // a second accepted length, 0 if none (HEIR: 4 in PAPR, 8 in Linux)
    Scope scope;
    bool read_only;         // the L1 may GET but not SET it
    uint64_t mask;          // bits the L1 may set (4- and 8-byte values); others -> H_INVALID_ELEMENT_VALUE
    // Further value check on SET (table alignment, buffer sizes ...); null when any value fits the mask.
    bool (*valid)(const uint8_t *value, uint16_t len);
    Target target;
    uint16_t index;         // GPR/VSR base, or SPR number for Target::Spr
};

// The whole table, sorted by id, and the row for one id (null for reserved ids).
std::span<const ElementInfo> element_table();
const ElementInfo *element_info(uint16_t id);

// What the buffer is for: it decides the scope the elements must have and whether read-only ones and
// values are checked.
enum class Use : uint8_t {
    Get,        // the L1 names elements; the L0 fills the values (value bytes are not looked at)
    Set,        // the L1 gives values: read-only elements, masks and value checks apply
    RunInput,   // as Set, vcpu scope only (the H_GUEST_RUN_VCPU input buffer)
};

struct Element {
    uint16_t id;
    uint16_t len;
    uint32_t offset;        // of the element (its id) in the buffer
    const ElementInfo *info;
};

// Outcome of parse_gsb(): rc is hret::kSuccess or the error; for an element error, `index` is the failing
// element's position in the buffer (0-based), `offset` its byte offset and `id` its id.
struct ParseStatus {
    int64_t rc = hret::kSuccess;
    uint32_t index = 0;
    uint32_t offset = 0;
    uint16_t id = 0;
    bool ok() const { return rc == hret::kSuccess; }
};

// Parses and validates `buf` (the buffer as the L1 gave it, `buf.size()` = dataBufferSizeInBytes) for
// `use` with elements of `scope` (Guest, Vcpu or Host; Use::RunInput implies Vcpu). Bytes after the last
// counted element are ignored, as the L1 may pass a buffer larger than what it filled. Errors:
//   buffer shorter than its 4-byte header, or the count reaching past the end -> H_P5 (truncated);
//   reserved id, an element of another scope, a SET of a read-only element, the
//   same id twice in one SET (not in a run input buffer, where the last one counts) -> H_INVALID_ELEMENT_ID;
//   a length the id does not have -> H_INVALID_ELEMENT_SIZE;
//   bits outside the mask or a value the element cannot take -> H_INVALID_ELEMENT_VALUE.
// On success `out` holds the elements in buffer order, Nop elements left out.
ParseStatus parse_gsb(std::span<const uint8_t> buf, Use use, Scope scope, std::vector<Element> &out);

// Big-endian value helpers for GSB bytes.
inline uint64_t be_load(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v = v << 8 | p[i];
    return v;
}
inline void be_store(uint8_t *p, unsigned n, uint64_t v) {
    for (unsigned i = n; i-- > 0; v >>= 8)
        p[i] = uint8_t(v);
}

// Builds a GSB (the L0's output buffer, and tests).
class GsbWriter {
public:
    GsbWriter() : bytes_(4, 0) {}
    GsbWriter &put(uint16_t id, const uint8_t *value, uint16_t len);
    GsbWriter &put_be(uint16_t id, uint16_t len, uint64_t v);   // len 4 or 8
    GsbWriter &put_pair(uint16_t id, uint64_t a, uint64_t b);   // two doublewords (VSR, buffer, table)
    GsbWriter &put_triple(uint16_t id, uint64_t a, uint64_t b, uint64_t c);
    uint32_t count() const { return count_; }
    const std::vector<uint8_t> &bytes() const { return bytes_; }

private:
    std::vector<uint8_t> bytes_;
    uint32_t count_ = 0;
};

// Element ids the L0 refers to by name (kvm-nested.rst element table).
namespace gsid {
constexpr uint16_t kNop = 0x0000, kHostStateSize = 0x0001, kRunOutputMinSize = 0x0002, kLogicalPvr = 0x0003,
                   kTbOffset = 0x0004, kPartitionTable = 0x0005, kProcessTable = 0x0006,
                   kL0GuestHeap = 0x0800, kL0GuestHeapMax = 0x0801, kL0GuestPgtable = 0x0802,
                   kL0GuestPgtableMax = 0x0803, kL0GuestPgtableReclaim = 0x0804, kRunInput = 0x0C00,
                   kRunOutput = 0x0C01, kVpa = 0x0C02, kGpr0 = 0x1000, kHdecExpiryTb = 0x1020, kNia = 0x1021,
                   kMsr = 0x1022, kLr = 0x1023, kXer = 0x1024, kCtr = 0x1025, kCfar = 0x1026, kSrr0 = 0x1027,
                   kSrr1 = 0x1028, kDar = 0x1029, kDecExpiryTb = 0x102A, kLpcr = 0x102C, kHfscr = 0x102D,
                   kPurr = 0x1033, kSpurr = 0x1034,
                   kCr = 0x2000, kPidr = 0x2001, kDsisr = 0x2002, kVsr0 = 0x3000, kHdar = 0xF000,
                   kHdsisr = 0xF001, kHeir = 0xF002, kAsdr = 0xF003;
} // namespace gsid

// Limits of the values the L0 accepts (checked by the table's value checks).
// What RUN_OUTPUT_MIN_SIZE reports and the least a run buffer may be: room for the largest output of any
// exit (an hcall: GPR3-12, NIA, MSR, DEC_EXPIRY_TB = 4 + 13 * 12 bytes), rounded up.
constexpr uint64_t kRunBufferMin = 0x100;
constexpr uint64_t kRunBufferMax = 1ull << 20;
constexpr uint64_t kPartitionTableEaBits = 52;    // the one radix tree shape POWER9/10 walk
constexpr uint64_t kPartitionRootSize = 1ull << 16;   // 2^13 root entries of 8 bytes

} // namespace phv::nested
