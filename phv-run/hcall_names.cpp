// Names for the "unhandled hcall" line, so a log can be read without hvcall.h at hand.
#include <cstddef>

#include "papr.h"

namespace phvrun::papr {

namespace {

struct HcallName {
    uint64_t opcode;
    const char *name;
};

constexpr HcallName kNames[] = {
    {0x04, "H_REMOVE"},
    {0x08, "H_ENTER"},
    {0x0c, "H_READ"},
    {0x10, "H_CLEAR_MOD"},
    {0x14, "H_CLEAR_REF"},
    {0x18, "H_PROTECT"},
    {0x1c, "H_GET_TCE"},
    {0x20, "H_PUT_TCE"},
    {0x24, "H_SET_SPRG0"},
    {0x28, "H_SET_DABR"},
    {0x2c, "H_PAGE_INIT"},
    {0x30, "H_SET_ASR"},
    {0x34, "H_ASR_ON"},
    {0x38, "H_ASR_OFF"},
    {0x3c, "H_LOGICAL_CI_LOAD"},
    {0x40, "H_LOGICAL_CI_STORE"},
    {0x44, "H_LOGICAL_CACHE_LOAD"},
    {0x48, "H_LOGICAL_CACHE_STORE"},
    {0x4c, "H_LOGICAL_ICBI"},
    {0x50, "H_LOGICAL_DCBF"},
    {0x54, "H_GET_TERM_CHAR"},
    {0x58, "H_PUT_TERM_CHAR"},
    {0x5c, "H_REAL_TO_LOGICAL"},
    {0x60, "H_HYPERVISOR_DATA"},
    {0x64, "H_EOI"},
    {0x68, "H_CPPR"},
    {0x6c, "H_IPI"},
    {0x70, "H_IPOLL"},
    {0x74, "H_XIRR"},
    {0x78, "H_MIGRATE_DMA"},
    {0x7c, "H_PERFMON"},
    {0xdc, "H_REGISTER_VPA"},
    {0xe0, "H_CEDE"},
    {0xe4, "H_CONFER"},
    {0xe8, "H_PROD"},
    {0xec, "H_GET_PPP"},
    {0xf0, "H_SET_PPP"},
    {0xf4, "H_PURR"},
    {0xf8, "H_PIC"},
    {0xfc, "H_REG_CRQ"},
    {0x100, "H_FREE_CRQ"},
    {0x104, "H_VIO_SIGNAL"},
    {0x108, "H_SEND_CRQ"},
    {0x110, "H_COPY_RDMA"},
    {0x114, "H_REGISTER_LOGICAL_LAN"},
    {0x118, "H_FREE_LOGICAL_LAN"},
    {0x11c, "H_ADD_LOGICAL_LAN_BUFFER"},
    {0x120, "H_SEND_LOGICAL_LAN"},
    {0x124, "H_BULK_REMOVE"},
    {0x130, "H_MULTICAST_CTRL"},
    {0x134, "H_SET_XDABR"},
    {0x138, "H_STUFF_TCE"},
    {0x13c, "H_PUT_TCE_INDIRECT"},
    {0x14c, "H_CHANGE_LOGICAL_LAN_MAC"},
    {0x150, "H_VTERM_PARTNER_INFO"},
    {0x154, "H_REGISTER_VTERM"},
    {0x158, "H_FREE_VTERM"},
    {0x1c8, "H_GET_CPU_CHARACTERISTICS"},
    {0x298, "H_JOIN"},
    {0x2b8, "H_GET_EM_PARMS"},
    {0x2d4, "H_GET_MPP"},
    {0x2ec, "H_HOME_NODE_ASSOCIATIVITY"},
    {0x2fc, "H_XIRR_X"},
    {0x300, "H_RANDOM"},
    {0x31c, "H_SET_MODE"},
    {0x328, "H_BLOCK_REMOVE"},
    {0x358, "H_CLEAR_HPT"},
    {0x36c, "H_RESIZE_HPT_PREPARE"},
    {0x370, "H_RESIZE_HPT_COMMIT"},
    {0x37c, "H_REGISTER_PROC_TBL"},
    {0x380, "H_SIGNAL_SYS_RESET"},
    {0x398, "H_QUERY_VAS_CAPABILITIES"},
    {0x3a8, "H_INT_GET_SOURCE_INFO"},
    {0x3ac, "H_INT_SET_SOURCE_CONFIG"},
    {0x3b0, "H_INT_GET_SOURCE_CONFIG"},
    {0x3b4, "H_INT_GET_QUEUE_INFO"},
    {0x3b8, "H_INT_SET_QUEUE_CONFIG"},
    {0x3bc, "H_INT_GET_QUEUE_CONFIG"},
    {0x3c0, "H_INT_SET_OS_REPORTING_LINE"},
    {0x3c4, "H_INT_GET_OS_REPORTING_LINE"},
    {0x3c8, "H_INT_ESB"},
    {0x3cc, "H_INT_SYNC"},
    {0x3d0, "H_INT_RESET"},
    {0x448, "H_RPT_INVALIDATE"},
    {0x450, "H_GET_ENERGY_SCALE_INFO"},
    {0x45c, "H_WATCHDOG"},
    {0x460, "H_GUEST_GET_CAPABILITIES"},
    {0x464, "H_GUEST_SET_CAPABILITIES"},
    {0x470, "H_GUEST_CREATE"},
    {0x474, "H_GUEST_CREATE_VCPU"},
    {0x478, "H_GUEST_GET_STATE"},
    {0x47c, "H_GUEST_SET_STATE"},
    {0x480, "H_GUEST_RUN_VCPU"},
    {0x484, "H_GUEST_COPY_MEMORY"},
    {0x488, "H_GUEST_DELETE"},
    {0xf000, "KVMPPC_H_RTAS"},
    {0xf001, "KVMPPC_H_LOGICAL_MEMOP"},
    {0xf002, "KVMPPC_H_CAS"},
    {0xf003, "KVMPPC_H_UPDATE_DT"},
    {0xf004, "KVMPPC_H_UPDATE_PHANDLE"},
    {0xf005, "KVMPPC_H_VOF_CLIENT"},
    {0xf080, "H_GET_PERF_COUNTER_INFO"},
    {0xf800, "H_SET_PARTITION_TABLE"},
    {0xf804, "H_ENTER_NESTED"},
    {0xf808, "H_TLB_INVALIDATE"},
    {0xf80c, "H_COPY_TOFROM_GUEST"},
};

} // namespace

const char *hcall_name(uint64_t opcode) {
    for (const HcallName &n : kNames)
        if (n.opcode == opcode)
            return n.name;
    return nullptr;
}

} // namespace phvrun::papr
