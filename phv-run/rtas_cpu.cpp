#include "rtas_functions.h"

namespace phvrun {

bool register_rtas_cpu(Rtas &rtas, VmControl &vm, std::function<bool(uint32_t)> interrupts_le) {
    // start-cpu(server#, start address, r3): the stopped thread begins at the address in real mode, 64-bit,
    // big-endian, with r3 as given (PAPR 7.3.10.1).
    bool ok = rtas.register_function(
        "start-cpu", rtas_token::kStartCpu, 3, 1, [&vm, interrupts_le](const RtasContext &ctx, RtasCall &c) {
            const uint32_t id = c.args[0];
            if (!vm.valid_cpu(id)) {
                c.set_status(papr::RTAS_OUT_PARAM_ERROR);
                return;
            }
            const CpuStart start{c.args[1], c.args[2], interrupts_le && interrupts_le(ctx.vcpu_id)};
            c.set_status(vm.start_cpu(id, start) ? papr::RTAS_OUT_SUCCESS : papr::RTAS_OUT_HW_ERROR);
        });
    ok = ok && rtas.register_function("query-cpu-stopped-state", rtas_token::kQueryCpuStoppedState, 1, 2,
                                      [&vm](const RtasContext &, RtasCall &c) {
                                          const uint32_t id = c.args[0];
                                          if (!vm.valid_cpu(id)) {
                                              c.set_status(papr::RTAS_OUT_PARAM_ERROR);
                                              return;
                                          }
                                          c.set_status(papr::RTAS_OUT_SUCCESS);
                                          c.rets[1] = uint32_t(vm.state(id));
                                      });
    // stop-self does not return: the vcpu thread parks before its next phv_vcpu_run() until start-cpu.
    ok = ok && rtas.register_function("stop-self", rtas_token::kStopSelf, 0, 1,
                                      [&vm](const RtasContext &ctx, RtasCall &c) {
                                          c.set_status(papr::RTAS_OUT_SUCCESS);
                                          vm.stop_self(ctx.vcpu_id);
                                      });
    return ok;
}

} // namespace phvrun
