/*
 * Open Firmware client interface (IEEE 1275 as implemented by QEMU's SLOF
 * and VOF).  Handles are 32-bit; OF_NONE marks a failed lookup.
 */
#ifndef PAYLOAD_OF_CLIENT_H
#define PAYLOAD_OF_CLIENT_H

#include <stdint.h>

#define OF_NONE 0xffffffffu

/* In start.S: rfid into the big-endian 32-bit client interface and back. */
long of_enter(void *args, unsigned long entry);

void of_init(uint32_t entry);
uint32_t of_finddevice(const char *path);
/* Bytes stored into buf, or -1 if the property does not exist. */
int of_getprop(uint32_t phandle, const char *name, void *buf, uint32_t buflen);
uint32_t of_child(uint32_t phandle);
uint32_t of_peer(uint32_t phandle);
uint32_t of_instance_to_package(uint32_t ihandle);
void of_quiesce(void);

#endif
