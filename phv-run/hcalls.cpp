#include "hcalls.h"

#include <algorithm>

namespace phvrun {

HcallTable::HcallTable() : private_(kPrivateCount) {}

const HcallHandler *HcallTable::slot(uint64_t opcode) const {
    if (opcode <= papr::MAX_HCALL_OPCODE && opcode % 4 == 0)
        return &papr_[opcode / 4];
    if (opcode >= kPrivateBase && opcode - kPrivateBase < kPrivateCount)
        return &private_[opcode - kPrivateBase];
    return nullptr;
}

bool HcallTable::register_hcall(uint64_t opcode, HcallHandler handler) {
    // opcode 0 is not an hcall; guests that pass it are confused, not calling anything.
    if (opcode == 0 || !handler)
        return false;
    auto *s = const_cast<HcallHandler *>(slot(opcode));
    if (!s || *s)
        return false;
    *s = std::move(handler);
    return true;
}

bool HcallTable::has(uint64_t opcode) const {
    const HcallHandler *s = slot(opcode);
    return s && *s;
}

std::optional<int64_t> HcallTable::call(const HcallContext &ctx, HcallArgs &a) const {
    const HcallHandler *s = slot(a.opcode);
    if (!s || !*s)
        return std::nullopt;
    return (*s)(ctx, a);
}

void HcallTable::add_hypertas(const std::string &set) {
    if (std::find(hypertas_.begin(), hypertas_.end(), set) == hypertas_.end())
        hypertas_.push_back(set);
}

} // namespace phvrun
