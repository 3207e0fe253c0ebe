// The disassembler against GNU objdump: every instruction of data/disasm_corpus.s must print as objdump
// prints it (-M power10), extended mnemonics included. data/gen_disasm_expected.sh regenerates the oracle.
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "isa/disasm.h"

namespace {

struct Expected {
    uint64_t addr;
    uint32_t word;
    uint32_t suffix;   // the second word of a prefixed instruction, else 0
    const char *text;
};
constexpr Expected kObjdump[] = {
#include "data/disasm_expected.inc"
};

TEST(Disasm, MatchesObjdump) {
    int mismatches = 0;
    for (const Expected &e : kObjdump) {
        char buf[96];
        phv::isa::disassemble(e.word, e.suffix, e.addr, buf, sizeof buf);
        if (std::string_view(buf) != e.text) {
            ADD_FAILURE() << std::hex << "0x" << e.addr << " " << e.word << " " << e.suffix << ": phv \"" << buf << "\", objdump \""
                          << e.text << "\"";
            ++mismatches;
        }
    }
    EXPECT_EQ(mismatches, 0) << "of " << std::size(kObjdump);
}

} // namespace
