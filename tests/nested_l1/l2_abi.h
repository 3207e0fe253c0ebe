/* What kvm_l2_launch and its L2 payload agree on. */
#ifndef PHV_NESTED_L1_L2_ABI_H
#define PHV_NESTED_L1_L2_ABI_H

#define H_PUT_TERM_CHAR 0x58
#define H_CONFER 0xE4
/* Private hcall ending the L2: above every PAPR number (and li-sized), so the L1's KVM hands it to user space. */
#define L2_DONE 0x6F00
#define L2_CONFER_RUNS 1000
#define L2_MMIO_BASE 0x100000000
#define L2_LOAD_ADDR 0x10000
#define L2_MMIO_PATTERN 0x0123456789abcdefULL

#endif
