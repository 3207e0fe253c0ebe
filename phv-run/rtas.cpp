#include "rtas.h"

#include <cstdio>
#include <string>

#include "byte_order.h"

namespace phvrun {

namespace {

// mr r4,r3 / li r3,0 / ori r3,r3,0xf000 (KVMPPC_H_RTAS; li alone would sign-extend it) / sc 1 / blr
constexpr uint8_t kEntryCode[] = {
    0x7c, 0x64, 0x1b, 0x78,
    0x38, 0x60, 0x00, 0x00,
    0x60, 0x63, 0xf0, 0x00,
    0x44, 0x00, 0x00, 0x22,
    0x4e, 0x80, 0x00, 0x20,
};

// Linux passes at most 16 cells of arguments and returns; anything far beyond is a corrupt buffer.
constexpr uint64_t kMaxCells = 1024;

// Real addressing ignores the top 4 bits of an address (Book III 5.7.3), so a kernel may pass its
// 0xc000... linear-map address.
constexpr uint64_t kRealAddressMask = 0x0fffffffffffffffull;

std::string cells_text(const std::vector<uint32_t> &cells) {
    std::string s;
    char buf[16];
    for (uint32_t c : cells) {
        std::snprintf(buf, sizeof buf, "%s0x%x", s.empty() ? "" : ", ", c);
        s += buf;
    }
    return s;
}

} // namespace

std::span<const uint8_t> Rtas::entry_code() { return kEntryCode; }

bool Rtas::register_function(const std::string &name, uint32_t token, uint32_t nargs, uint32_t nret,
                             RtasFunction fn) {
    if (!fn)
        return false;
    for (const Function &f : functions_)
        if (f.name == name || f.token == token)
            return false;
    functions_.push_back({name, token, nargs, nret, std::move(fn)});
    return true;
}

bool Rtas::register_hcall(HcallTable &table) {
    return table.register_hcall(papr::KVMPPC_H_RTAS, [this](const HcallContext &ctx, HcallArgs &a) {
        return handle(ctx.vcpu_id, ctx.nip, a.args[0]);
    });
}

std::vector<RtasTokenProp> Rtas::token_properties() const {
    std::vector<RtasTokenProp> v;
    for (const Function &f : functions_)
        v.push_back({f.name, f.token});
    return v;
}

const Rtas::Function *Rtas::find(uint32_t token) const {
    for (const Function &f : functions_)
        if (f.token == token)
            return &f;
    return nullptr;
}

int64_t Rtas::handle(uint32_t vcpu_id, uint64_t nip, uint64_t buffer_gpa) {
    const uint64_t buf = buffer_gpa & kRealAddressMask;
    const auto token = mem_.read_be32(buf);
    const auto nargs = mem_.read_be32(buf + 4);
    const auto nret = mem_.read_be32(buf + 8);
    if (token && nargs && nret && uint64_t(*nargs) + *nret > kMaxCells) {
        if (log_.enabled(kDebugRtas) || log_.first_time("rtas-buffer", buf))
            log_.print("cpu %u: RTAS argument buffer at 0x%llx claims nargs %u nret %u (nip 0x%llx)", vcpu_id,
                       static_cast<unsigned long long>(buf), *nargs, *nret, static_cast<unsigned long long>(nip));
        return papr::H_PARAMETER;
    }
    if (!token || !nargs || !nret || !mem_.contains(buf, (3 + uint64_t(*nargs) + *nret) * 4)) {
        if (log_.enabled(kDebugRtas) || log_.first_time("rtas-buffer", buf))
            log_.print("cpu %u: RTAS argument buffer at 0x%llx is not in guest RAM (nip 0x%llx)", vcpu_id,
                       static_cast<unsigned long long>(buf), static_cast<unsigned long long>(nip));
        return papr::H_PARAMETER;
    }

    RtasCall call;
    call.token = *token;
    call.args.resize(*nargs);
    call.rets.assign(*nret, 0);
    for (uint32_t i = 0; i < *nargs; ++i)
        call.args[i] = *mem_.read_be32(buf + 12 + 4 * uint64_t(i));
    const uint64_t rets_gpa = buf + 12 + 4 * uint64_t(*nargs);

    const Function *f = find(call.token);
    if (!f) {
        // PAPR: an unknown token is a parameter error.
        call.set_status(papr::RTAS_OUT_PARAM_ERROR);
        if (log_.enabled(kDebugUnimp) || log_.first_time("rtas", call.token))
            log_.print("unhandled RTAS token 0x%x at nip 0x%llx", call.token, static_cast<unsigned long long>(nip));
    } else if (call.args.size() != f->nargs || call.rets.size() != f->nret) {
        call.set_status(papr::RTAS_OUT_PARAM_ERROR);
        if (log_.enabled(kDebugRtas) || log_.first_time("rtas-counts", call.token))
            log_.print("cpu %u: RTAS %s called with nargs %u nret %u (expects %u, %u)", vcpu_id, f->name.c_str(),
                       *nargs, *nret, f->nargs, f->nret);
    } else {
        f->fn(RtasContext{vcpu_id, nip, mem_}, call);
        if (log_.enabled(kDebugRtas))
            log_.print("cpu %u: RTAS %s(%s) -> %s", vcpu_id, f->name.c_str(), cells_text(call.args).c_str(),
                       cells_text(call.rets).c_str());
    }

    for (uint32_t i = 0; i < *nret; ++i)
        mem_.write_be32(rets_gpa + 4 * uint64_t(i), call.rets[i]);
    return papr::H_SUCCESS;
}

} // namespace phvrun
