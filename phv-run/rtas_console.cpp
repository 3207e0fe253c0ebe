#include "rtas_functions.h"

namespace phvrun {

bool register_rtas_console(Rtas &rtas, Console &console) {
    // Linux's pseries progress hook writes boot progress one character per call through this.
    return rtas.register_function("display-character", rtas_token::kDisplayCharacter, 1, 1,
                                  [&console](const RtasContext &, RtasCall &c) {
                                      const uint8_t ch = uint8_t(c.args[0]);
                                      console.write({&ch, 1});
                                      c.set_status(papr::RTAS_OUT_SUCCESS);
                                  });
}

} // namespace phvrun
