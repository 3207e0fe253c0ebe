// The nested L0's state as one blob, for a VMM's migration stream and snapshots (phv_vm_get_nested_state /
// phv_vm_set_nested_state, phv.h 4.16.2).
//
// Only what the L0 keeps between hcalls goes in: a VMM stops every vcpu before it saves, and a vcpu that
// stops while it runs an L2 first goes back to its L1 (the run is an L0-internal loop that ends with an
// "unspecified" exit, vector 0 / nestedv1 0x980), so no L2 is ever half-way through a switch at a save. The
// L1 resumes after its H_GUEST_RUN_VCPU / H_ENTER_NESTED as after any such exit, and runs the L2 again.
//
// Layout (little-endian throughout, every field naturally aligned; nested/README.md has the table):
//   header  magic "phvnest\0", u32 version (1), u32 api (1 = nestedv1, 2 = nestedv2), u32 total size,
//           u32 record count
//   records u16 tag, u16 flags (0), u32 payload length, the payload, zero padding to 8 bytes
// Every record's tag says what it is and its length is checked against the tag's, so a reader can skip
// nothing and guess nothing: an unknown tag, a wrong length or a value the L0 could not have made is
// refused, with the record's offset and a reason, and the L0 is left as it was.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace phv::nested {

namespace blob {
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderSize = 24;
// Record tags.
constexpr uint16_t kV1Ptcr = 1,   // nestedv1: the L1's partition table register (u64)
    kV1Vcpu = 2,                  // nestedv1: an (LPID, vcpu_token) the L0 has run, with its counters
    kV2Caps = 3,                  // nestedv2: the capabilities H_GUEST_SET_CAPABILITIES negotiated (u64)
    kV2Guest = 4,                 // nestedv2: one H_GUEST_CREATE'd guest's guest-wide state
    kV2Vcpu = 5;                  // nestedv2: one L2 vcpu's full state, buffers, VPA and counters
} // namespace blob

// Why an import was refused: the byte offset of the record (or header field) and a constant message.
struct BlobError {
    uint32_t offset = 0;
    const char *reason = nullptr;
};

} // namespace phv::nested
