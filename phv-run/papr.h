// PAPR numbers phv-run serves or reports: hcall opcodes (Linux arch/powerpc/include/asm/hvcall.h and
// QEMU's private KVMPPC_H_* range), hcall return codes and RTAS status codes (PAPR 7.2.8).
#pragma once
#include <cstdint>

namespace phvrun::papr {

// hcall return codes (r3).
constexpr int64_t H_SUCCESS = 0;
constexpr int64_t H_HARDWARE = -1;
constexpr int64_t H_FUNCTION = -2;
constexpr int64_t H_PRIVILEGE = -3;
constexpr int64_t H_PARAMETER = -4;
constexpr int64_t H_RESOURCE = -16;
constexpr int64_t H_NOT_FOUND = -18;

// hcall opcodes. PAPR's are multiples of 4 up to MAX_HCALL_OPCODE; QEMU/KVM's private ones start at 0xf000.
constexpr uint64_t H_LOGICAL_CI_LOAD = 0x3c;
constexpr uint64_t H_LOGICAL_CI_STORE = 0x40;
constexpr uint64_t H_GET_TERM_CHAR = 0x54;
constexpr uint64_t H_PUT_TERM_CHAR = 0x58;
constexpr uint64_t H_EOI = 0x64;
constexpr uint64_t H_CPPR = 0x68;
constexpr uint64_t H_IPI = 0x6c;
constexpr uint64_t H_IPOLL = 0x70;
constexpr uint64_t H_XIRR = 0x74;
constexpr uint64_t H_REGISTER_VPA = 0xdc;
constexpr uint64_t H_CEDE = 0xe0;   // served by the core
constexpr uint64_t H_CONFER = 0xe4;
constexpr uint64_t H_PROD = 0xe8;
constexpr uint64_t H_GET_CPU_CHARACTERISTICS = 0x1c8;
constexpr uint64_t H_XIRR_X = 0x2fc;
constexpr uint64_t H_RANDOM = 0x300;
constexpr uint64_t H_RESIZE_HPT_PREPARE = 0x36c;
constexpr uint64_t H_RESIZE_HPT_COMMIT = 0x370;
constexpr uint64_t MAX_HCALL_OPCODE = 0x488; // H_GUEST_DELETE, as in Linux and QEMU
constexpr uint64_t KVMPPC_H_RTAS = 0xf000;

// RTAS status codes (first return cell).
constexpr int32_t RTAS_OUT_SUCCESS = 0;
constexpr int32_t RTAS_OUT_HW_ERROR = -1;
constexpr int32_t RTAS_OUT_BUSY = -2;
constexpr int32_t RTAS_OUT_PARAM_ERROR = -3;
constexpr int32_t RTAS_OUT_NO_ERRORS_FOUND = 1;   // event-scan

// Returns the PAPR name of an hcall opcode, or nullptr if phv-run does not know it.
const char *hcall_name(uint64_t opcode);

} // namespace phvrun::papr
