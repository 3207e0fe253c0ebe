#include "mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace phvrun {

MappedFile::MappedFile(MappedFile &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept {
    if (this != &other) {
        if (data_)
            munmap(const_cast<uint8_t *>(data_), size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (data_)
        munmap(const_cast<uint8_t *>(data_), size_);
}

Expected<MappedFile> MappedFile::open(const std::string &path, const std::string &what) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{"cannot open " + what + " '" + path + "': " + std::strerror(errno)};
    struct stat st;
    if (fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        return Error{"cannot stat " + what + " '" + path + "': " + std::strerror(e)};
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{what + " '" + path + "' is not a regular file"};
    }
    if (st.st_size == 0) {
        ::close(fd);
        return Error{what + " '" + path + "' is empty"};
    }
    // Populated at once: the loader reads all of a kernel and initrd, and a fault per few pages (~650 for
    // a Debian vmlinux) costs more than the one call that maps them all.
    void *p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const int e = errno;
    ::close(fd);
    if (p == MAP_FAILED)
        return Error{"cannot map " + what + " '" + path + "': " + std::strerror(e)};
    MappedFile f;
    f.data_ = static_cast<const uint8_t *>(p);
    f.size_ = size_t(st.st_size);
    return f;
}

} // namespace phvrun
