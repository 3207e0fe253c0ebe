#include "vty.h"

#include "byte_order.h"
#include "fdt_builder.h"

namespace phvrun {

namespace {

constexpr uint64_t kMaxTermBytes = 16;  // two registers' worth

// Linux's hvc_vio passes the vty's reg; firmware and early payload code pass 0 for "the console", which
// QEMU also accepts.
bool is_our_vty(uint64_t termno) { return termno == 0 || termno == kVtyReg; }

// r4 = termno, r5 = length, r6..r7 = bytes packed big-endian (byte 0 in the most significant byte), as
// Linux's hvc_put_chars() sends them.
int64_t put_term_char(Console &console, HcallArgs &a) {
    const uint64_t termno = a.args[0], len = a.args[1];
    if (!is_our_vty(termno) || len > kMaxTermBytes)
        return papr::H_PARAMETER;
    uint8_t bytes[kMaxTermBytes];
    store_be64(bytes, a.args[2]);
    store_be64(bytes + 8, a.args[3]);
    if (len)
        console.write({bytes, size_t(len)});
    return papr::H_SUCCESS;
}

// Returns r4 = count and r5..r6 = bytes, packed as for H_PUT_TERM_CHAR.
int64_t get_term_char(Console &console, HcallArgs &a) {
    if (!is_our_vty(a.args[0]))
        return papr::H_PARAMETER;
    uint8_t bytes[kMaxTermBytes] = {};
    const size_t n = console.read(bytes);
    a.args[0] = n;
    a.args[1] = load_be64(bytes);
    a.args[2] = load_be64(bytes + 8);
    return papr::H_SUCCESS;
}

} // namespace

bool register_vty_hcalls(HcallTable &table, Console &console) {
    const bool ok = table.register_hcall(papr::H_PUT_TERM_CHAR,
                                         [&console](const HcallContext &, HcallArgs &a) {
                                             return put_term_char(console, a);
                                         }) &&
                    table.register_hcall(papr::H_GET_TERM_CHAR, [&console](const HcallContext &, HcallArgs &a) {
                        return get_term_char(console, a);
                    });
    if (ok)
        table.add_hypertas("hcall-term");
    return ok;
}

} // namespace phvrun
