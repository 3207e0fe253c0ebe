// A value or a one-line error message: every setup step of phv-run reports failure this way, so main can
// print "phv-run: <message>" and choose the exit status in one place.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <variant>

namespace phvrun {

struct Error {
    std::string message;
};

template <typename T>
class Expected {
public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() { return std::get<0>(v_); }
    const T &value() const { return std::get<0>(v_); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const std::string &error() const { return std::get<1>(v_).message; }

private:
    std::variant<T, Error> v_;
};

// Addresses and sizes in error messages, always in the same "0x..." spelling.
inline std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace phvrun
