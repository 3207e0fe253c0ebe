/*
 * Read-only walker for a flattened device tree (devicetree specification,
 * "Flattened Devicetree (DTB) Format").  Nodes are named by the offset of
 * their FDT_BEGIN_NODE token inside the structure block; -1 means "none".
 */
#ifndef PAYLOAD_FDT_H
#define PAYLOAD_FDT_H

#include <stdint.h>

/* Non-zero if the blob has the FDT magic and a plausible header. */
int dt_valid(const void *fdt);
/* "/", "/cpus", "/vdevice/vty@71000000"; a component without '@' also
 * matches a node name that has a unit address. */
int dt_path_offset(const void *fdt, const char *path);
int dt_path_offset_len(const void *fdt, const char *path, unsigned len);
int dt_first_child(const void *fdt, int node);
int dt_next_sibling(const void *fdt, int node);
const char *dt_node_name(const void *fdt, int node);
/* Property value and its length in bytes, or null if the node lacks it. */
const void *dt_getprop(const void *fdt, int node, const char *name, int *len);
/* The property's first 32-bit cell, or dflt. */
uint64_t dt_getprop_cell(const void *fdt, int node, const char *name, uint64_t dflt);
/* A property that is one 32- or 64-bit number (e.g. timebase-frequency), or dflt. */
uint64_t dt_getprop_u(const void *fdt, int node, const char *name, uint64_t dflt);

#endif
