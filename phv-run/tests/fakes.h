// Test doubles: a console that records output and serves queued input, and a DebugLog whose lines can be
// read back.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "console.h"
#include "debug_log.h"

namespace phvrun::test {

class FakeConsole : public Console {
public:
    void write(std::span<const uint8_t> bytes) override { out.append(bytes.begin(), bytes.end()); }
    size_t read(std::span<uint8_t> dst) override {
        const size_t n = std::min(dst.size(), in.size());
        std::copy(in.begin(), in.begin() + long(n), dst.begin());
        in.erase(0, n);
        return n;
    }
    std::string out;
    std::string in;
};

// A DebugLog writing into memory (open_memstream).
class CapturedLog {
public:
    explicit CapturedLog(unsigned categories = 0)
        : file_(open_memstream(&buf_, &size_)), log_(std::make_unique<DebugLog>(categories, file_)) {}
    ~CapturedLog() {
        log_.reset();
        std::fclose(file_);
        std::free(buf_);
    }
    DebugLog &log() { return *log_; }
    std::string text() {
        std::fflush(file_);
        return std::string(buf_, size_);
    }
    std::vector<std::string> lines() {
        std::vector<std::string> out;
        const std::string t = text();
        size_t start = 0;
        for (size_t nl; (nl = t.find('\n', start)) != std::string::npos; start = nl + 1)
            out.push_back(t.substr(start, nl - start));
        return out;
    }

private:
    char *buf_ = nullptr;
    size_t size_ = 0;
    std::FILE *file_;
    std::unique_ptr<DebugLog> log_;
};

} // namespace phvrun::test
