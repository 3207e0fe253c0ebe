// Moving guest state buffer element values in and out of an L2's state (the element table's Target column).
#pragma once
#include <cstdint>

#include "nested/gsb.h"
#include "nested/l0.h"

namespace phv::nested {

// What GET answers for element `e` of guest `g` (vcpu `v` for vcpu elements, null otherwise), written
// big-endian into out[0..e.len).
void read_element(const L0 &l0, const L2Guest &g, const L2Vcpu *v, const Element &e, uint8_t *out);
// Applies a SET value (already validated by parse_gsb and check_element).
void write_element(L2Guest &g, L2Vcpu *v, const Element &e, const uint8_t *in);

} // namespace phv::nested
