// KVM_GET_ONE_REG / KVM_SET_ONE_REG for a vcpu, driven by one table of ids (one_reg.cpp).
#pragma once
#include <cstdint>

#include "phv/phv.h"

namespace phv {

class Vcpu;

int get_one_reg(Vcpu &v, const phv_one_reg &reg);
int set_one_reg(Vcpu &v, const phv_one_reg &reg);

} // namespace phv
