/* RTAS calls through QEMU/KVM's KVMPPC_H_RTAS hypercall. */
#ifndef PAYLOAD_RTAS_H
#define PAYLOAD_RTAS_H

#include <stdint.h>

/* Returns the RTAS status (first return cell). */
int32_t rtas_power_off(uint32_t token);
int32_t rtas_os_term(uint32_t token, const char *message);

/* The power-off token under either entry convention: r5 = the client interface (VOF, SLOF), else r3 = the FDT.
 * 0 when neither says. */
uint32_t rtas_power_off_token(uint64_t r3, uint64_t r5);

#endif
