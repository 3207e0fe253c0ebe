/*
 * phv accelerator: guest RAM as phv memslots.
 *
 * A listener on address_space_memory turns every RAM section into a slot of the core (the host pointer is
 * QEMU's RAM block, so both see the same bytes); everything else is MMIO and exits to QEMU. phv API v0
 * changes slots only while no vcpu is inside phv_vcpu_run(), so an update kicks the vcpus out and holds
 * them at the run gate until it is done.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/thread.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "exec/ram_addr.h"
#include "hw/core/cpu.h"
#include "system/phv.h"
#include "phv-int.h"

typedef struct PhvSlot {
    bool used;
    uint32_t flags;
    hwaddr gpa;
    uint64_t size;
    void *host;
    MemoryRegion *mr;
    ram_addr_t ram_addr;
} PhvSlot;

static PhvSlot slots[PHV_MAX_MEMSLOTS];
static uint32_t slots_high;     /* every used slot is below this index */

static QemuMutex gate_lock;
static QemuCond gate_cond;
static int vcpus_in_run;
static int updaters;

void phv_run_gate_enter(void)
{
    qemu_mutex_lock(&gate_lock);
    while (updaters) {
        qemu_cond_wait(&gate_cond, &gate_lock);
    }
    vcpus_in_run++;
    qemu_mutex_unlock(&gate_lock);
}

void phv_run_gate_leave(void)
{
    qemu_mutex_lock(&gate_lock);
    vcpus_in_run--;
    qemu_cond_broadcast(&gate_cond);
    qemu_mutex_unlock(&gate_lock);
}

/* Called with the BQL; the vcpus leave phv_vcpu_run() on the kick without needing it. */
static void slots_update_begin(void)
{
    CPUState *cs;

    qemu_mutex_lock(&gate_lock);
    updaters++;
    CPU_FOREACH(cs) {
        if (cs->accel && cs->accel->vcpu) {
            phv_vcpu_kick(cs->accel->vcpu);
        }
    }
    while (vcpus_in_run) {
        qemu_cond_wait(&gate_cond, &gate_lock);
    }
}

static void slots_update_end(void)
{
    updaters--;
    qemu_cond_broadcast(&gate_cond);
    qemu_mutex_unlock(&gate_lock);
}

static int slot_commit(uint32_t n)
{
    struct phv_userspace_memory_region r = {
        .slot = n,
        .flags = slots[n].used ? slots[n].flags : 0,
        .guest_phys_addr = slots[n].gpa,
        .memory_size = slots[n].used ? slots[n].size : 0,
        .userspace_addr = (uintptr_t)slots[n].host,
    };
    int ret;

    slots_update_begin();
    ret = phv_set_user_memory_region(phv_vm_get(), &r);
    slots_update_end();
    return ret;
}

static bool section_is_slot(MemoryRegionSection *section)
{
    return memory_region_is_ram(section->mr) && !memory_region_is_ram_device(section->mr) &&
           QEMU_IS_ALIGNED(section->offset_within_address_space, PHV_PAGE_SIZE) &&
           QEMU_IS_ALIGNED(int128_get64(section->size), PHV_PAGE_SIZE) &&
           int128_get64(section->size) != 0;
}

static PhvSlot *slot_find(hwaddr gpa, uint64_t size)
{
    for (uint32_t i = 0; i < PHV_MAX_MEMSLOTS; i++) {
        if (slots[i].used && slots[i].gpa == gpa && slots[i].size == size) {
            return &slots[i];
        }
    }
    return NULL;
}

static void phv_region_add(MemoryListener *l, MemoryRegionSection *section)
{
    uint32_t n;
    int ret;

    if (!section_is_slot(section)) {
        return;     /* MMIO: every access exits to QEMU */
    }
    for (n = 0; n < PHV_MAX_MEMSLOTS && slots[n].used; n++) {
    }
    if (n == PHV_MAX_MEMSLOTS) {
        error_report("phv: no free memory slot for RAM at 0x%" HWADDR_PRIx, section->offset_within_address_space);
        return;
    }
    slots_high = MAX(slots_high, n + 1);
    slots[n] = (PhvSlot) {
        .used = true,
        .flags = (section->readonly || section->mr->readonly ? PHV_MEM_READONLY : 0) |
                 (memory_region_get_dirty_log_mask(section->mr) ? PHV_MEM_LOG_DIRTY_PAGES : 0),
        .gpa = section->offset_within_address_space,
        .size = int128_get64(section->size),
        .host = (uint8_t *)memory_region_get_ram_ptr(section->mr) + section->offset_within_region,
        .mr = section->mr,
        .ram_addr = memory_region_get_ram_addr(section->mr) + section->offset_within_region,
    };
    ret = slot_commit(n);
    if (ret < 0) {
        error_report("phv: mapping RAM 0x%" HWADDR_PRIx "+0x%" PRIx64 " failed: %s",
                     slots[n].gpa, slots[n].size, strerror(-ret));
        slots[n].used = false;
    }
}

static void phv_region_del(MemoryListener *l, MemoryRegionSection *section)
{
    PhvSlot *s;

    if (!section_is_slot(section)) {
        return;
    }
    s = slot_find(section->offset_within_address_space, int128_get64(section->size));
    if (s) {
        s->used = false;
        slot_commit(s - slots);
    }
}

static void phv_log_change(MemoryRegionSection *section, bool on)
{
    PhvSlot *s;

    if (!section_is_slot(section)) {
        return;
    }
    s = slot_find(section->offset_within_address_space, int128_get64(section->size));
    if (s && !!(s->flags & PHV_MEM_LOG_DIRTY_PAGES) != on) {
        s->flags ^= PHV_MEM_LOG_DIRTY_PAGES;
        slot_commit(s - slots);
    }
}

static void phv_log_start(MemoryListener *l, MemoryRegionSection *section, int old, int new)
{
    if (!old) {
        phv_log_change(section, true);
    }
}

static void phv_log_stop(MemoryListener *l, MemoryRegionSection *section, int old, int new)
{
    if (!new) {
        phv_log_change(section, false);
    }
}

/* The core's log (bit n of byte n/8 for page n) is already the little-endian bitmap QEMU takes. */
static void phv_log_sync(MemoryListener *l, MemoryRegionSection *section)
{
    PhvSlot *s;
    uint64_t pages;
    unsigned long *bitmap;

    if (!section_is_slot(section)) {
        return;
    }
    s = slot_find(section->offset_within_address_space, int128_get64(section->size));
    if (!s || !(s->flags & PHV_MEM_LOG_DIRTY_PAGES)) {
        return;
    }
    pages = s->size / PHV_PAGE_SIZE;
    bitmap = g_new0(unsigned long, DIV_ROUND_UP(pages, 64) * (8 / sizeof(unsigned long)));
    if (phv_get_dirty_log(phv_vm_handle, s - slots, bitmap) == 0) {
        cpu_physical_memory_set_dirty_lebitmap(bitmap, s->ram_addr, pages);
    }
    g_free(bitmap);
}

/*
 * QEMU wrote guest RAM itself (virtio DMA, a loader, H_PAGE_INIT): the core must not keep running
 * instructions it decoded from the old bytes. Hardware keeps the instruction cache coherent with DMA, so
 * the guest does nothing about it; TCG drops its translation blocks at this same point.
 */
void phv_ram_written(uint64_t ram_addr, uint64_t length)
{
    if (!phv_vm_handle) {
        return;
    }
    for (uint32_t i = 0; i < slots_high; i++) {
        const PhvSlot *s = &slots[i];
        uint64_t lo, hi;

        if (!s->used) {
            continue;
        }
        lo = MAX(ram_addr, s->ram_addr);
        hi = MIN(ram_addr + length, s->ram_addr + s->size);
        if (lo < hi) {
            phv_invalidate_code(phv_vm_handle, s->gpa + (lo - s->ram_addr), hi - lo);
        }
    }
}

static MemoryListener phv_memory_listener = {
    .name = "phv",
    .region_add = phv_region_add,
    .region_del = phv_region_del,
    .log_start = phv_log_start,
    .log_stop = phv_log_stop,
    .log_sync = phv_log_sync,
    .priority = MEMORY_LISTENER_PRIORITY_ACCEL,
};

void phv_memory_init(void)
{
    qemu_mutex_init(&gate_lock);
    qemu_cond_init(&gate_cond);
    memory_listener_register(&phv_memory_listener, &address_space_memory);
}
