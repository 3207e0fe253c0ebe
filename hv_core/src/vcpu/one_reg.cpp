#include "vcpu/one_reg.h"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

namespace {

// LPCR bits a VMM may set for a pSeries guest; the rest belong to the hypervisor (KVM's
// kvmppc_set_lpcr mask: DPFD, ILE, TC, AIL, LD).
constexpr uint64_t kLpcrDPFD = 7ull << 52, kLpcrILE = 1ull << 25, kLpcrTC = 1ull << 9, kLpcrAIL = 3ull << 23,
                   kLpcrLD = 1ull << 17;
constexpr uint32_t kVscrBits = 1u << 16 | 1u;   // NJ, SAT
// VPM0 too: KVM always sets it for a hash guest and creates the VRMA; phv leaves the choice to the VMM (without
// it real mode is untranslated, as under QEMU TCG's pseries), mmu/vrma.cpp.
constexpr uint64_t kLpcrGuestBits = kLpcrDPFD | kLpcrILE | kLpcrTC | kLpcrAIL | kLpcrLD | mmu::lpcr::VPM0;

enum class Kind : uint8_t {
    Spr,        // state().spr[arg], with the CPU-model gate of the SPR table
    Gpr,        // gpr[id - base]
    Fpr,        // fpr[id - base]
    Vsr,        // vsr[id - base], 16 bytes (VSR0-31)
    Vr,         // vsr[32 + id - base], 16 bytes (VR0-31 = VSR32-63)
    Nip, Msr, Cr, Lr, Ctr, Xer, Dec, Tb, TbOffset, TbOffsetExact, DecExpiry, Lpcr, Fpscr, Vscr, ReadOnlySpr,
    VpaAddr,
    DebugInst,  // PHV_SW_BREAKPOINT_INSN (KVM_REG_PPC_DEBUG_INST), read-only
};

struct OneReg {
    uint64_t id;
    uint32_t count;   // consecutive ids (GPR0..31)
    Kind kind;
    uint16_t spr;
};

constexpr uint64_t kPpc = PHV_REG_PPC;
constexpr OneReg kRegs[] = {
    {PHV_REG_PPC_GPR(0), 32, Kind::Gpr, 0},
    {PHV_REG_PPC_FPR(0), 32, Kind::Fpr, 0},
    {PHV_REG_PPC_VR(0), 32, Kind::Vr, 0},
    {PHV_REG_PPC_VSR(0), 32, Kind::Vsr, 0},
    {PHV_REG_PPC_NIP, 1, Kind::Nip, 0},
    {PHV_REG_PPC_MSR, 1, Kind::Msr, 0},
    {PHV_REG_PPC_CR, 1, Kind::Cr, 0},
    {PHV_REG_PPC_LR, 1, Kind::Lr, 0},
    {PHV_REG_PPC_CTR, 1, Kind::Ctr, 0},
    {PHV_REG_PPC_XER, 1, Kind::Xer, 0},
    {PHV_REG_PPC_DEC, 1, Kind::Dec, 0},
    {PHV_REG_PPC_TB, 1, Kind::Tb, 0},
    {PHV_REG_PPC_TB_OFFSET, 1, Kind::TbOffset, 0},
    {PHV_REG_PPC_TB_OFFSET_EXACT, 1, Kind::TbOffsetExact, 0},
    {PHV_REG_PPC_DEC_EXPIRY, 1, Kind::DecExpiry, 0},
    {PHV_REG_PPC_VPA_ADDR, 1, Kind::VpaAddr, 0},
    {PHV_REG_PPC_DEBUG_INST, 1, Kind::DebugInst, 0},
    {PHV_REG_PPC_LPCR, 1, Kind::Lpcr, 0},
    {PHV_REG_PPC_LPCR_64, 1, Kind::Lpcr, 0},
    {PHV_REG_PPC_FPSCR, 1, Kind::Fpscr, 0},
    {PHV_REG_PPC_VSCR, 1, Kind::Vscr, 0},
    {PHV_REG_PPC_PVR, 1, Kind::ReadOnlySpr, spr::PVR},
    {PHV_REG_PPC_PIR, 1, Kind::ReadOnlySpr, spr::PIR},
    {PHV_REG_PPC_SRR0, 1, Kind::Spr, spr::SRR0},
    {PHV_REG_PPC_SRR1, 1, Kind::Spr, spr::SRR1},
    {PHV_REG_PPC_SPRG(0), 1, Kind::Spr, spr::SPRG0},
    {PHV_REG_PPC_SPRG(1), 1, Kind::Spr, spr::SPRG1},
    {PHV_REG_PPC_SPRG(2), 1, Kind::Spr, spr::SPRG2},
    {PHV_REG_PPC_SPRG(3), 1, Kind::Spr, spr::SPRG3},
    {PHV_REG_PPC_DSCR, 1, Kind::Spr, spr::DSCR},
    {PHV_REG_PPC_PURR, 1, Kind::Spr, spr::PURR},
    {PHV_REG_PPC_SPURR, 1, Kind::Spr, spr::SPURR},
    {PHV_REG_PPC_DAR, 1, Kind::Spr, spr::DAR},
    {PHV_REG_PPC_DSISR, 1, Kind::Spr, spr::DSISR},
    {PHV_REG_PPC_AMR, 1, Kind::Spr, spr::AMR},
    {PHV_REG_PPC_UAMOR, 1, Kind::Spr, spr::UAMOR},
    {kPpc | PHV_REG_SIZE_U64 | 0x10, 1, Kind::Spr, spr::MMCR0},
    {kPpc | PHV_REG_SIZE_U64 | 0x11, 1, Kind::Spr, spr::MMCR1},
    {kPpc | PHV_REG_SIZE_U64 | 0x12, 1, Kind::Spr, spr::MMCRA},
    {kPpc | PHV_REG_SIZE_U64 | 0x13, 1, Kind::Spr, spr::MMCR2},
    {kPpc | PHV_REG_SIZE_U64 | 0x15, 1, Kind::Spr, spr::SIAR},
    {kPpc | PHV_REG_SIZE_U64 | 0x16, 1, Kind::Spr, spr::SDAR},
    {kPpc | PHV_REG_SIZE_U64 | 0x17, 1, Kind::Spr, spr::SIER},
    {kPpc | PHV_REG_SIZE_U32 | 0x18, 1, Kind::Spr, spr::PMC1},
    {kPpc | PHV_REG_SIZE_U32 | 0x19, 1, Kind::Spr, spr::PMC2},
    {kPpc | PHV_REG_SIZE_U32 | 0x1a, 1, Kind::Spr, spr::PMC3},
    {kPpc | PHV_REG_SIZE_U32 | 0x1b, 1, Kind::Spr, spr::PMC4},
    {kPpc | PHV_REG_SIZE_U32 | 0x1c, 1, Kind::Spr, spr::PMC5},
    {kPpc | PHV_REG_SIZE_U32 | 0x1d, 1, Kind::Spr, spr::PMC6},
    {PHV_REG_PPC_IAMR, 1, Kind::Spr, spr::IAMR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa0, 1, Kind::Spr, spr::TFHAR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa1, 1, Kind::Spr, spr::TFIAR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa2, 1, Kind::Spr, spr::TEXASR},
    {PHV_REG_PPC_FSCR, 1, Kind::Spr, spr::FSCR},
    {kPpc | PHV_REG_SIZE_U32 | 0xa4, 1, Kind::Spr, spr::PSPB},
    {kPpc | PHV_REG_SIZE_U64 | 0xa5, 1, Kind::Spr, spr::EBBHR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa6, 1, Kind::Spr, spr::EBBRR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa7, 1, Kind::Spr, spr::BESCR},
    {PHV_REG_PPC_TAR, 1, Kind::Spr, spr::TAR},
    {kPpc | PHV_REG_SIZE_U64 | 0xa9, 1, Kind::Spr, spr::DPDES},
    {kPpc | PHV_REG_SIZE_U64 | 0xaa, 1, Kind::Spr, spr::DAWR0},
    {kPpc | PHV_REG_SIZE_U64 | 0xab, 1, Kind::Spr, spr::DAWRX0},
    {kPpc | PHV_REG_SIZE_U64 | 0xac, 1, Kind::Spr, spr::CIABR},
    {kPpc | PHV_REG_SIZE_U64 | 0xad, 1, Kind::Spr, spr::IC},
    {kPpc | PHV_REG_SIZE_U64 | 0xae, 1, Kind::Spr, spr::VTB},
    {PHV_REG_PPC_PID, 1, Kind::Spr, spr::PIDR},
    {PHV_REG_PPC_VRSAVE, 1, Kind::Spr, spr::VRSAVE},
    {PHV_REG_PPC_PPR, 1, Kind::Spr, spr::PPR},
    {PHV_REG_PPC_TIDR, 1, Kind::Spr, spr::TIDR},
    {PHV_REG_PPC_PSSCR, 1, Kind::Spr, spr::PSSCR},
    {kPpc | PHV_REG_SIZE_U64 | 0xc1, 1, Kind::Spr, spr::MMCR3},
    {kPpc | PHV_REG_SIZE_U64 | 0xc4, 1, Kind::Spr, spr::DAWR1},
    {kPpc | PHV_REG_SIZE_U64 | 0xc5, 1, Kind::Spr, spr::DAWRX1},
    {PHV_REG_PPC_DEXCR, 1, Kind::Spr, spr::DEXCR},
    {PHV_REG_PPC_HASHKEYR, 1, Kind::Spr, spr::HASHKEYR},
    {PHV_REG_PPC_HASHPKEYR, 1, Kind::Spr, spr::HASHPKEYR},
};

const OneReg *lookup(uint64_t id, uint32_t &index) {
    for (const auto &r : kRegs)
        if (id >= r.id && id < r.id + r.count) {
            index = uint32_t(id - r.id);
            return &r;
        }
    return nullptr;
}

// Validates the id and the buffer: -EINVAL for ids that are not PPC or not served here, -EFAULT for a NULL
// buffer, -ENXIO for a register the CPU model does not have.
int check(Vcpu &v, const phv_one_reg &reg, const OneReg *&r, uint32_t &index) {
    if ((reg.id & 0xff00000000000000ull) != PHV_REG_PPC)
        return -EINVAL;
    r = lookup(reg.id, index);
    if (!r)
        return -EINVAL;
    if (!reg.addr)
        return -EFAULT;
    if (r->kind == Kind::Spr || r->kind == Kind::ReadOnlySpr) {
        const SprDef *d = spr_def(r->spr);
        if (d && uint8_t(d->isa) > uint8_t(v.vm().model().isa))
            return -ENXIO;
    }
    return 0;
}

void put(const phv_one_reg &reg, uint64_t value) {
    void *p = reinterpret_cast<void *>(static_cast<uintptr_t>(reg.addr));
    if (PHV_REG_SIZE(reg.id) == 4) {
        const uint32_t w = uint32_t(value);
        std::memcpy(p, &w, 4);
    } else {
        std::memcpy(p, &value, 8);
    }
}

// A 16-byte register travels as a host-endian 128-bit number, as KVM hands it out (its thread_fp_state keeps
// doubleword 1 first on a little-endian host, TS_VSRLOWOFFSET 0) and QEMU's kvm_put_fp lays it out.
void put128(const phv_one_reg &reg, const std::array<uint64_t, 2> &v) {
    const uint64_t words[2] = {std::endian::native == std::endian::little ? v[1] : v[0],
                               std::endian::native == std::endian::little ? v[0] : v[1]};
    std::memcpy(reinterpret_cast<void *>(static_cast<uintptr_t>(reg.addr)), words, 16);
}
std::array<uint64_t, 2> take128(const phv_one_reg &reg) {
    uint64_t words[2];
    std::memcpy(words, reinterpret_cast<const void *>(static_cast<uintptr_t>(reg.addr)), 16);
    if (std::endian::native == std::endian::little)
        return {words[1], words[0]};
    return {words[0], words[1]};
}

uint64_t take(const phv_one_reg &reg) {
    const void *p = reinterpret_cast<const void *>(static_cast<uintptr_t>(reg.addr));
    if (PHV_REG_SIZE(reg.id) == 4) {
        uint32_t w;
        std::memcpy(&w, p, 4);
        return w;
    }
    uint64_t d;
    std::memcpy(&d, p, 8);
    return d;
}

} // namespace

int get_one_reg(Vcpu &v, const phv_one_reg &reg) {
    const OneReg *r;
    uint32_t i;
    if (int e = check(v, reg, r, i))
        return e;
    CpuState &s = v.state();
    if (r->kind == Kind::Vsr || r->kind == Kind::Vr) {
        put128(reg, s.vsr[(r->kind == Kind::Vr ? 32 : 0) + i]);
        return 0;
    }
    uint64_t val = 0;
    switch (r->kind) {
    case Kind::Spr:
    case Kind::ReadOnlySpr:
        // PURR, SPURR and VTB are kept as offsets from the timebase (timers.cpp).
        val = spr::counts_with_tb(r->spr) ? v.read_purr(r->spr) : s.spr[r->spr];
        break;
    case Kind::Gpr: val = s.gpr[i]; break;
    case Kind::Fpr: val = s.fpr(i); break;
    case Kind::Vsr:
    case Kind::Vr: break;
    case Kind::Nip: val = s.nip; break;
    case Kind::Msr: val = s.msr; break;
    case Kind::Cr: val = s.cr; break;
    case Kind::Lr: val = s.lr; break;
    case Kind::Ctr: val = s.ctr; break;
    case Kind::Xer: val = s.get_xer(); break;
    case Kind::Dec: val = v.read_dec(); break;
    case Kind::Tb: val = v.read_tb(); break;
    case Kind::TbOffset:
    case Kind::TbOffsetExact: val = v.tb_offset_; break;
    case Kind::DecExpiry: val = v.dec_expiry_; break;
    case Kind::VpaAddr: val = v.vpa_addr_; break;
    case Kind::DebugInst: val = PHV_SW_BREAKPOINT_INSN; break;
    case Kind::Lpcr: val = s.spr[spr::LPCR]; break;
    case Kind::Fpscr: val = s.fpscr; break;
    case Kind::Vscr: val = s.vscr; break;
    }
    put(reg, val);
    return 0;
}

int set_one_reg(Vcpu &v, const phv_one_reg &reg) {
    const OneReg *r;
    uint32_t i;
    if (int e = check(v, reg, r, i))
        return e;
    CpuState &s = v.state();
    if (r->kind == Kind::Vsr || r->kind == Kind::Vr) {
        s.vsr[(r->kind == Kind::Vr ? 32 : 0) + i] = take128(reg);
        return 0;
    }
    const uint64_t val = take(reg);
    switch (r->kind) {
    case Kind::Spr: s.spr[r->spr] = spr::counts_with_tb(r->spr) ? val - v.read_tb() : val; break;
    case Kind::ReadOnlySpr: return -EINVAL;
    case Kind::Gpr: s.gpr[i] = val; break;
    case Kind::Fpr: s.fpr(i) = val; break;
    case Kind::Vsr:
    case Kind::Vr: break;
    case Kind::Nip: s.nip = val; break;
    // A pSeries guest never holds MSR[HV], and KVM-HV always runs it with MSR[ME] on ("Guest must always run
    // with ME enabled, HV disabled", kvmppc_set_msr_hv); the VMM cannot change either.
    case Kind::Msr: s.msr = (val | msr::ME) & ~msr::HV; break;
    case Kind::Cr: s.cr = uint32_t(val); break;
    case Kind::Lr: s.lr = val; break;
    case Kind::Ctr: s.ctr = val; break;
    case Kind::Xer: s.set_xer(val); break;
    case Kind::Dec: v.write_dec(val); break;
    case Kind::Tb: return -EINVAL;
    case Kind::DebugInst: return -EINVAL;
    // KVM rounds the offset up to a multiple of 2^24, the granule the hardware TB offset has.
    case Kind::TbOffset: v.tb_offset_ = (val + 0xffffffull) & ~0xffffffull; break;
    case Kind::TbOffsetExact: v.tb_offset_ = val; break;
    case Kind::DecExpiry: v.dec_expiry_ = val; break;
    case Kind::VpaAddr:
        // PAPR: an lppaca is cache-line (128-byte) aligned; 0 means none.
        if (val & 127)
            return -EINVAL;
        v.vpa_addr_ = val;
        break;
    case Kind::Lpcr: {
        const uint64_t keep = PHV_REG_SIZE(reg.id) == 4 ? 0xffffffff00000000ull : 0;
        s.spr[spr::LPCR] = (s.spr[spr::LPCR] & (keep | ~kLpcrGuestBits)) | (val & ~keep & kLpcrGuestBits);
        v.decide_vrma();   // VPM0 may have changed
        break;
    }
    case Kind::Fpscr: s.fpscr = val; break;
    // Only NJ and SAT exist (Book I 6.3.1); mtvscr keeps just those too.
    case Kind::Vscr: s.vscr = uint32_t(val) & kVscrBits; break;
    }
    v.keys_changed();   // AMR or IAMR may have been the register
    return 0;
}

} // namespace phv
