// A whole file mapped read-only: kernels can be hundreds of MiB with debug info, and only their PT_LOAD
// segments are ever touched.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "expected.h"

namespace phvrun {

class MappedFile {
public:
    MappedFile() = default;
    MappedFile(MappedFile &&other) noexcept;
    MappedFile &operator=(MappedFile &&other) noexcept;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    ~MappedFile();

    // `what` names the file in messages ("kernel", "initrd").
    static Expected<MappedFile> open(const std::string &path, const std::string &what);

    std::span<const uint8_t> bytes() const { return {data_, size_}; }

private:
    const uint8_t *data_ = nullptr;
    size_t size_ = 0;
};

} // namespace phvrun
