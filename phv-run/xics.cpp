#include "xics.h"

#include <algorithm>

namespace phvrun {

Xics::Xics(uint32_t nservers, Output output)
    : icps_(nservers), sources_(kSourceCount), output_(std::move(output)) {}

void Xics::reset() {
    std::lock_guard g(lock_);
    for (uint32_t s = 0; s < icps_.size(); ++s) {
        if (icps_[s].xisr)   // presented: the line is up
            lower(s);
        icps_[s] = Icp{};
    }
    std::fill(sources_.begin(), sources_.end(), Source{});
}

void Xics::raise(uint32_t server) {
    if (output_)
        output_(server, true);
}

void Xics::lower(uint32_t server) {
    if (output_)
        output_(server, false);
}

// The ICP gave up on a source (something more favoured came, or the CPPR rose above it): the source keeps
// its interrupt and is presented again at the next resend. The IPI needs nothing: it is re-derived from MFRR.
void Xics::reject(uint32_t xisr) {
    if (!valid_source(xisr))
        return;
    Source &s = source(xisr);
    s.in_service = false;
    s.waiting = true;
}

// Offers source irq to its server: taken if it is more favoured than both the CPPR and what the ICP already
// presents (which is then rejected); otherwise it waits.
void Xics::present(uint32_t irq) {
    Source &s = source(irq);
    if (s.priority == kMasked || !valid_server(s.server)) {
        s.waiting = true;
        return;
    }
    Icp &icp = icps_[s.server];
    if (s.priority >= icp.cppr || (icp.xisr && icp.pending <= s.priority)) {
        s.waiting = true;
        return;
    }
    if (icp.xisr)
        reject(icp.xisr);
    icp.xisr = irq;
    icp.pending = s.priority;
    s.waiting = false;
    s.in_service = true;
    raise(s.server);
}

// The ICP's MFRR asks for an IPI at its priority: present it unless something at least as favoured is.
void Xics::check_ipi(uint32_t server) {
    Icp &icp = icps_[server];
    if (icp.xisr && icp.pending <= icp.mfrr)
        return;
    if (icp.xisr)
        reject(icp.xisr);
    icp.xisr = kIpi;
    icp.pending = icp.mfrr;
    raise(server);
}

// The ICP can take more than before: present the IPI if MFRR calls for one, then every waiting source.
void Xics::resend(uint32_t server) {
    Icp &icp = icps_[server];
    if (icp.mfrr < icp.cppr)
        check_ipi(server);
    for (uint32_t i = 0; i < kSourceCount; ++i) {
        const Source &s = sources_[i];
        if (s.waiting && s.priority != kMasked && (!s.lsi || s.level))
            present(kFirstSource + i);
    }
}

bool Xics::set_cppr(uint32_t server, uint8_t cppr) {
    std::lock_guard g(lock_);
    if (!valid_server(server))
        return false;
    Icp &icp = icps_[server];
    const uint8_t old = icp.cppr;
    icp.cppr = cppr;
    if (cppr < old) {
        // More favoured than before: what is presented may no longer qualify.
        if (icp.xisr && cppr <= icp.pending) {
            const uint32_t x = icp.xisr;
            icp.xisr = 0;
            icp.pending = kMasked;
            lower(server);
            reject(x);
        }
    } else if (!icp.xisr) {
        resend(server);
    }
    return true;
}

bool Xics::set_mfrr(uint32_t server, uint8_t mfrr) {
    std::lock_guard g(lock_);
    if (!valid_server(server))
        return false;
    Icp &icp = icps_[server];
    icp.mfrr = mfrr;
    if (mfrr < icp.cppr)
        check_ipi(server);
    return true;
}

std::optional<uint32_t> Xics::accept(uint32_t server) {
    std::lock_guard g(lock_);
    if (!valid_server(server))
        return std::nullopt;
    Icp &icp = icps_[server];
    const uint32_t xirr = uint32_t(icp.cppr) << 24 | icp.xisr;
    if (icp.xisr)
        lower(server);
    icp.cppr = icp.pending;
    icp.xisr = 0;
    icp.pending = kMasked;
    return xirr;
}

bool Xics::eoi(uint32_t server, uint32_t xirr) {
    std::lock_guard g(lock_);
    if (!valid_server(server))
        return false;
    Icp &icp = icps_[server];
    icp.cppr = uint8_t(xirr >> 24);
    const uint32_t irq = xirr & 0xffffff;
    if (valid_source(irq)) {
        Source &s = source(irq);
        s.in_service = false;
        if (s.lsi && s.level)
            s.waiting = true;   // still asserted: it comes back
    }
    if (!icp.xisr)
        resend(server);
    return true;
}

std::optional<Xics::Poll> Xics::poll(uint32_t server) const {
    std::lock_guard g(lock_);
    if (!valid_server(server))
        return std::nullopt;
    const Icp &icp = icps_[server];
    return Poll{uint32_t(icp.cppr) << 24 | icp.xisr, icp.mfrr};
}

bool Xics::set_xive(uint32_t irq, uint32_t server, uint8_t priority) {
    std::lock_guard g(lock_);
    if (!valid_source(irq) || !valid_server(server))
        return false;
    Source &s = source(irq);
    s.server = server;
    s.priority = priority;
    s.saved_priority = priority;
    if (priority != kMasked && s.waiting && !s.in_service)
        present(irq);
    return true;
}

std::optional<Xics::Xive> Xics::get_xive(uint32_t irq) const {
    std::lock_guard g(lock_);
    if (!valid_source(irq))
        return std::nullopt;
    const Source &s = sources_[irq - kFirstSource];
    return Xive{s.server, s.priority};
}

bool Xics::int_off(uint32_t irq) {
    std::lock_guard g(lock_);
    if (!valid_source(irq))
        return false;
    Source &s = source(irq);
    if (s.priority != kMasked)
        s.saved_priority = s.priority;
    s.priority = kMasked;
    return true;
}

bool Xics::int_on(uint32_t irq) {
    std::lock_guard g(lock_);
    if (!valid_source(irq))
        return false;
    Source &s = source(irq);
    s.priority = s.saved_priority;
    if (s.priority != kMasked && s.waiting && !s.in_service)
        present(irq);
    return true;
}

bool Xics::trigger(uint32_t irq) {
    std::lock_guard g(lock_);
    if (!valid_source(irq))
        return false;
    Source &s = source(irq);
    s.lsi = false;
    present(irq);
    return true;
}

bool Xics::set_level(uint32_t irq, bool level) {
    std::lock_guard g(lock_);
    if (!valid_source(irq))
        return false;
    Source &s = source(irq);
    s.lsi = true;
    s.level = level;
    if (!level)
        s.waiting = false;
    else if (!s.in_service)
        present(irq);
    return true;
}

} // namespace phvrun
