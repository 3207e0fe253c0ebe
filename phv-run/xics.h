// XICS, the interrupt controller of a pSeries partition that does not use XIVE (PAPR chapter "Interrupt
// Architecture"): one presentation controller (ICP) per interrupt server, i.e. per vcpu, and one source
// controller (ICS) whose sources are numbered from kFirstSource. The guest drives the ICPs through the
// hcall-interrupt hcalls (H_CPPR, H_IPI, H_XIRR, H_EOI, H_IPOLL) and the ICS through RTAS (ibm,set-xive,
// ibm,get-xive, ibm,int-on, ibm,int-off); devices raise sources with trigger()/set_level().
//
// Priorities: 0 is the most favoured, 0xff means "masked" (a source) or "nothing accepted" (CPPR).
// An ICP presents at most one interrupt (XISR) with its priority; the interprocessor interrupt is source 2
// and comes from the ICP's MFRR. A source an ICP cannot take now is rejected and resent when the ICP's
// priority drops (EOI, H_CPPR) or the source is re-enabled.
//
// One lock covers everything: calls come from every vcpu thread, and the output callback (which raises or
// lowers a vcpu's external interrupt line) runs under it, so a line always matches its ICP.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace phvrun {

class Xics {
public:
    static constexpr uint32_t kIpi = 2;                // XISR of the interprocessor interrupt
    static constexpr uint32_t kFirstSource = 0x1000;   // as QEMU's pseries numbers them
    static constexpr uint32_t kSourceCount = 0x1000;
    static constexpr uint8_t kMasked = 0xff;

    // output(server, level): raise or lower the external interrupt line of vcpu `server`.
    using Output = std::function<void(uint32_t server, bool level)>;

    Xics(uint32_t nservers, Output output);

    uint32_t servers() const { return uint32_t(icps_.size()); }
    bool valid_server(uint32_t s) const { return s < icps_.size(); }
    static bool valid_source(uint32_t irq) { return irq >= kFirstSource && irq - kFirstSource < kSourceCount; }

    // --- presentation (hcall-interrupt), for the ICP of `server`; false for a server that does not exist ---
    bool set_cppr(uint32_t server, uint8_t cppr);
    bool set_mfrr(uint32_t server, uint8_t mfrr);   // H_IPI
    // H_XIRR: accept the presented interrupt (XIRR = old CPPR << 24 | XISR; XISR 0 when none).
    std::optional<uint32_t> accept(uint32_t server);
    // H_EOI: CPPR from the top byte; the source in the low 24 bits has been served.
    bool eoi(uint32_t server, uint32_t xirr);
    // H_IPOLL: XIRR and MFRR without accepting.
    struct Poll {
        uint32_t xirr;
        uint8_t mfrr;
    };
    std::optional<Poll> poll(uint32_t server) const;

    // --- sources (RTAS), false for a source or server that does not exist ---
    bool set_xive(uint32_t irq, uint32_t server, uint8_t priority);
    struct Xive {
        uint32_t server;
        uint8_t priority;
    };
    std::optional<Xive> get_xive(uint32_t irq) const;
    bool int_off(uint32_t irq);   // masks, keeping the priority for int_on
    bool int_on(uint32_t irq);

    // A machine reset: every ICP and source as at power-on (a line that was up is lowered first). The output
    // callback stays. (Lets a VMM, or a fuzzer running many short guests, reuse one controller.)
    void reset();

    // --- devices ---
    // A message-signalled (edge) interrupt.
    bool trigger(uint32_t irq);
    // A level-sensitive source: presented while the level is high, again after each EOI.
    bool set_level(uint32_t irq, bool level);

private:
    struct Icp {
        uint8_t cppr = kMasked;
        uint32_t xisr = 0;
        uint8_t pending = kMasked;   // priority of xisr
        uint8_t mfrr = kMasked;
    };
    struct Source {
        uint32_t server = 0;
        uint8_t priority = kMasked;
        uint8_t saved_priority = kMasked;   // what int_on restores
        bool lsi = false;
        bool level = false;      // LSI: asserted
        bool waiting = false;    // fired (or rejected) and not yet presented
        bool in_service = false; // presented (or accepted) and not yet EOI'd
    };

    Source &source(uint32_t irq) { return sources_[irq - kFirstSource]; }
    void raise(uint32_t server);
    void lower(uint32_t server);
    void reject(uint32_t xisr);
    void present(uint32_t irq);
    void check_ipi(uint32_t server);
    void resend(uint32_t server);

    mutable std::mutex lock_;
    std::vector<Icp> icps_;
    std::vector<Source> sources_;
    Output output_;
};

} // namespace phvrun
