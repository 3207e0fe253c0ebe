// The special-purpose registers: number, name, who may read and write them, and which CPU models have them.
#pragma once
#include <cstdint>
#include <string_view>

#include "isa/insn.h"

namespace phv {

// The lowest privilege that may access the SPR (Book III 4.4.4 / the SPR table of Book III appendix).
enum class SprAccess : uint8_t { None, User, Priv, Hyp };

namespace spr {
// Numbers from the Power ISA 3.1 SPR list, under the ISA's names.
enum : uint16_t {
    XER = 1, DSCR_U = 3, LR = 8, CTR = 9, AMR_U = 13, DSCR = 17, DSISR = 18, DAR = 19, DEC = 22, SDR1 = 25,
    SRR0 = 26, SRR1 = 27, CFAR = 28, AMR = 29, PIDR = 48, IAMR = 61, TFHAR = 128, TFIAR = 129, TEXASR = 130,
    TEXASRU = 131, CTRL_R = 136, TIDR = 144, CTRL_W = 152, FSCR = 153, UAMOR = 157, PSPB = 159, DPDES = 176,
    DAWR0 = 180, DAWR1 = 181, RPR = 186, CIABR = 187, DAWRX0 = 188, DAWRX1 = 189, HFSCR = 190, VRSAVE = 256,
    SPRG3_U = 259, TB = 268, TBU = 269, SPRG0 = 272, SPRG1 = 273, SPRG2 = 274, SPRG3 = 275, TBL_W = 284,
    TBU_W = 285, TBU40 = 286, PVR = 287, HSPRG0 = 304, HSPRG1 = 305, HDSISR = 306, HDAR = 307, SPURR = 308,
    PURR = 309, HDEC = 310, HRMOR = 313, HSRR0 = 314, HSRR1 = 315, LPCR = 318, LPIDR = 319, HMER = 336,
    HMEER = 337, PCR = 338, HEIR = 339, AMOR = 349, TIR = 446, UHDEXCR = 455, PTCR = 464, HASHKEYR = 468,
    HASHPKEYR = 469, HDEXCR = 471, SIER2_U = 736, SIER3_U = 737, MMCR3_U = 738, SIER2 = 752, SIER3 = 753,
    MMCR3 = 754, SIER_U = 768, MMCR2_U = 769, MMCRA_U = 770, PMC1_U = 771, PMC2_U = 772, PMC3_U = 773,
    PMC4_U = 774, PMC5_U = 775, PMC6_U = 776, MMCR0_U = 779, SIAR_U = 780, SDAR_U = 781, MMCR1_U = 782,
    SIER = 784, MMCR2 = 785, MMCRA = 786, PMC1 = 787, PMC2 = 788,
    PMC3 = 789, PMC4 = 790, PMC5 = 791, PMC6 = 792, MMCR0 = 795, SIAR = 796, SDAR = 797, MMCR1 = 798,
    BESCRS = 800, BESCRSU = 801, BESCRR = 802, BESCRRU = 803, BESCR = 806, EBBHR = 804, EBBRR = 805,
    UDEXCR = 812, TAR = 815, ASDR = 816, DEXCR = 828, IC = 848, VTB = 849,
    PSSCR = 855, PSSCR_PR = 823, PPR = 896, PPR32 = 898, TRIG0 = 880, TRIG1 = 881, TRIG2 = 882, PIR = 1023,
    ACOP = 31, DHDES = 177, TFMR = 317, MMCRH = 316, LMRR = 813, LMSER = 814,
    TACR = 888, TCSCR = 889, CSIGR = 890, WORT = 895, HID0 = 1008, PMCR = 884, TSCR = 921, TTR = 922,
};

// The counters that advance at the timebase rate while the partition runs (PURR, SPURR, VTB): a vcpu keeps
// each as an offset from its timebase (vcpu/timers.cpp).
constexpr bool counts_with_tb(unsigned n) { return n == PURR || n == SPURR || n == VTB; }
} // namespace spr

struct SprDef {
    uint16_t num;
    std::string_view name;
    SprAccess read;
    SprAccess write;
    isa::Isa isa;        // first ISA version (CPU model) that has it
};

// The definition of SPR n, or nullptr when the ISA defines no such SPR.
const SprDef *spr_def(unsigned n);
const SprDef *spr_by_name(std::string_view name);

} // namespace phv
