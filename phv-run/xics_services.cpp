// The guest's side of XICS: the hcall-interrupt hcalls for the presentation controllers and the RTAS calls
// for the sources (PAPR "Interrupt Support"; Linux's icp-hv.c and ics-rtas.c are the callers).
#include "xics_services.h"

namespace phvrun {

namespace {

// PAPR: H_IPI, H_IPOLL and the RTAS calls name a server that must exist; the hcalls of the caller's own
// ICP cannot fail.
int64_t hcall_status(bool ok) { return ok ? papr::H_SUCCESS : papr::H_PARAMETER; }

bool register_hcalls(HcallTable &t, Xics &x) {
    bool ok = t.register_hcall(papr::H_CPPR, [&x](const HcallContext &c, HcallArgs &a) {
        return hcall_status(x.set_cppr(c.vcpu_id, uint8_t(a.args[0])));
    });
    ok = ok && t.register_hcall(papr::H_IPI, [&x](const HcallContext &, HcallArgs &a) {
        return hcall_status(a.args[0] <= UINT32_MAX && x.set_mfrr(uint32_t(a.args[0]), uint8_t(a.args[1])));
    });
    ok = ok && t.register_hcall(papr::H_XIRR, [&x](const HcallContext &c, HcallArgs &a) {
        const auto xirr = x.accept(c.vcpu_id);
        if (!xirr)
            return papr::H_PARAMETER;
        a.args[0] = *xirr;
        return papr::H_SUCCESS;
    });
    // H_XIRR_X: H_XIRR plus the timebase at which the interrupt was accepted (r5).
    ok = ok && t.register_hcall(papr::H_XIRR_X, [&x](const HcallContext &c, HcallArgs &a) {
        const auto xirr = x.accept(c.vcpu_id);
        if (!xirr)
            return papr::H_PARAMETER;
        a.args[0] = *xirr;
        a.args[1] = c.timebase ? c.timebase() : 0;
        return papr::H_SUCCESS;
    });
    ok = ok && t.register_hcall(papr::H_EOI, [&x](const HcallContext &c, HcallArgs &a) {
        return hcall_status(x.eoi(c.vcpu_id, uint32_t(a.args[0])));
    });
    ok = ok && t.register_hcall(papr::H_IPOLL, [&x](const HcallContext &, HcallArgs &a) {
        const auto p = a.args[0] <= UINT32_MAX ? x.poll(uint32_t(a.args[0])) : std::nullopt;
        if (!p)
            return papr::H_PARAMETER;
        a.args[0] = p->xirr;
        a.args[1] = p->mfrr;
        return papr::H_SUCCESS;
    });
    if (ok)
        t.add_hypertas("hcall-interrupt");
    return ok;
}

void rtas_status(RtasCall &c, bool ok) { c.set_status(ok ? papr::RTAS_OUT_SUCCESS : papr::RTAS_OUT_PARAM_ERROR); }

bool register_rtas(Rtas &r, Xics &x) {
    // ibm,set-xive(irq, server, priority)
    bool ok = r.register_function("ibm,set-xive", rtas_token::kIbmSetXive, 3, 1,
                                  [&x](const RtasContext &, RtasCall &c) {
                                      rtas_status(c, c.args[2] <= 0xff && x.set_xive(c.args[0], c.args[1],
                                                                                      uint8_t(c.args[2])));
                                  });
    // ibm,get-xive(irq) -> status, server, priority
    ok = ok && r.register_function("ibm,get-xive", rtas_token::kIbmGetXive, 1, 3,
                                   [&x](const RtasContext &, RtasCall &c) {
                                       const auto xive = x.get_xive(c.args[0]);
                                       rtas_status(c, xive.has_value());
                                       if (xive) {
                                           c.rets[1] = xive->server;
                                           c.rets[2] = xive->priority;
                                       }
                                   });
    ok = ok && r.register_function("ibm,int-off", rtas_token::kIbmIntOff, 1, 1,
                                   [&x](const RtasContext &, RtasCall &c) { rtas_status(c, x.int_off(c.args[0])); });
    ok = ok && r.register_function("ibm,int-on", rtas_token::kIbmIntOn, 1, 1,
                                   [&x](const RtasContext &, RtasCall &c) { rtas_status(c, x.int_on(c.args[0])); });
    return ok;
}

} // namespace

bool register_xics_services(HcallTable &hcalls, Rtas &rtas, Xics &xics) {
    return register_hcalls(hcalls, xics) && register_rtas(rtas, xics);
}

} // namespace phvrun
