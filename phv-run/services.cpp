#include "services.h"

#include "platform_hcalls.h"
#include "vty.h"
#include "xics_services.h"

namespace phvrun {

Expected<bool> register_services(const Services &s) {
    // Served by the core itself (hv_core/src/vcpu/hcalls_mode.cpp), as KVM and QEMU serve it.
    s.hcalls.add_hypertas("hcall-set-mode");
    // The hashed page table hcalls (H_ENTER, H_REMOVE, H_READ, H_PROTECT, H_CLEAR_REF/MOD; H_BULK_REMOVE)
    // are the core's too (hv_core/src/mmu/hpt_hcalls.cpp).
    s.hcalls.add_hypertas("hcall-pft");
    s.hcalls.add_hypertas("hcall-bulk");
    if (!register_vty_hcalls(s.hcalls, s.console))
        return Error{"internal: H_PUT_TERM_CHAR/H_GET_TERM_CHAR registered twice"};
    if (!s.rtas.register_hcall(s.hcalls))
        return Error{"internal: KVMPPC_H_RTAS registered twice"};
    if (!register_rtas_console(s.rtas, s.console))
        return Error{"internal: RTAS display-character registered twice"};
    if (!register_rtas_power(s.rtas, s.control, s.log))
        return Error{"internal: RTAS power functions registered twice"};
    if (!register_rtas_cpu(s.rtas, s.control, s.interrupts_le))
        return Error{"internal: RTAS cpu functions registered twice"};
    if (!register_rtas_time(s.rtas, s.tod))
        return Error{"internal: RTAS time functions registered twice"};
    if (!register_xics_services(s.hcalls, s.rtas, s.xics))
        return Error{"internal: XICS hcalls or RTAS functions registered twice"};
    if (!register_splpar_hcalls(s.hcalls, s.vpa, s.control))
        return Error{"internal: splpar hcalls registered twice"};
    if (!register_platform_hcalls(s.hcalls, s.mem))
        return Error{"internal: H_RANDOM or H_LOGICAL_CI_* registered twice"};
    if (!register_rtas_events(s.rtas))
        return Error{"internal: RTAS event-scan registered twice"};
    return true;
}

} // namespace phvrun
