// Time as the guest sees it: the timebase, the decrementer and the processor utilisation registers, all
// driven by the host's monotonic clock at the partition's timebase frequency (512 MHz on POWER8/9/10).
#include <ctime>

#include "isa/fields.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

uint64_t host_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t Vcpu::read_tb() const {
    const unsigned __int128 ticks = (unsigned __int128)host_ns() * vm_.tb_freq() / 1000000000u;
    return uint64_t(ticks) + tb_offset_;
}

// The decrementer is 32 bits unless the large decrementer is on (LPCR[LD]=1, Book III 6.5.2), when it has an
// implementation-dependent width: 56 bits on POWER9 and POWER10 (what KVM and QEMU advertise as
// "ibm,dec-bits"). POWER8 has no large decrementer. Either way the value is signed and reads sign-extended.
unsigned Vcpu::dec_bits() const {
    if ((st_.spr[spr::LPCR] & lpcr::LD) && vm_.model().isa >= isa::Isa::V300)
        return 56;
    return 32;
}

namespace {
uint64_t sext_bits(uint64_t v, unsigned bits) { return uint64_t(isa::sext(v & (~0ull >> (64 - bits)), bits)); }
} // namespace

uint64_t Vcpu::read_dec() const { return sext_bits(dec_expiry_ - read_tb(), dec_bits()); }

void Vcpu::write_dec(uint64_t v) { dec_expiry_ = read_tb() + sext_bits(v, dec_bits()); }

// PURR, SPURR and the VTB count at the timebase rate while the vcpu's thread runs the partition; KVM saves
// and restores them around guest entry, so a guest sees them advance with its own time. phv keeps each as an
// offset from the timebase (state().spr holds the offset; the ONE_REG value is the counter itself). A VTB
// that held still would stop a pSeries Linux's running_clock() (VTB - boot_tb, its soft-lockup watchdog's
// clock), and one restored from a stream would jump it.
uint64_t Vcpu::read_purr(unsigned n) const { return read_tb() + st_.spr[n]; }

} // namespace phv
