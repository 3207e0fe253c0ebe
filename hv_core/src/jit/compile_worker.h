// Compiling hot blocks on a thread beside the vcpu's.
//
// Compiling is a tenth of a Linux boot (~30 us a block, tens of thousands of blocks) and the vcpu waited for
// each block it compiled; TCG stops the same way for every block it translates. Here a block that has run
// hot is queued instead and the vcpu goes on running it in the interpreter until its code is ready, which
// takes the compiling off the vcpu's path whenever the host has a core to spare.
//
// The worker calls emit() (jit/compiler.h) alone: it reads the block's instructions and key, which never
// change once the block is built, and the vcpu's layout (field offsets, the addresses of tables that live as
// long as the vcpu), and writes only into the code buffer past its cursor, where no code runs yet. The vcpu
// thread does everything else: it makes the block's link slots before queueing it, installs the finished
// code between blocks (the worker raises the vcpu's attention flag), and before anything the worker reads
// could go away (a block dropped, the buffer flushed, the vcpu destroyed) it takes back what is queued and
// waits for the block in flight.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "jit/compiler.h"

namespace phv::jit {

class CompileWorker {
public:
    struct Done {
        Block *block;
        Compiled code;   // code.fn null: the buffer had no room for it
    };

    // attention: the vcpu's flag, raised when code is ready. Throws std::system_error if no thread starts.
    CompileWorker(Vcpu &v, CodeBuffer &buf, bool perf_map, std::atomic<bool> &attention);
    ~CompileWorker();   // drops what is queued, waits for the block in flight
    CompileWorker(const CompileWorker &) = delete;
    CompileWorker &operator=(const CompileWorker &) = delete;

    // b has jit_slots and is not queued already.
    void request(Block &b);
    // Appends the blocks compiled since the last call, in order.
    void take(std::vector<Done> &done);
    // Takes back every queued block for which drop(block) is true (appended to `dropped`, not compiled),
    // waits for the block in flight if drop() is true for it, and then appends every compiled block to
    // `done`. With a `drop` true for all, nothing is left to the worker afterwards: the buffer may be flushed.
    template <typename Pred>
    void forget(Pred drop, std::vector<Done> &done, std::vector<Block *> &dropped) {
        std::unique_lock g(lock_);
        for (auto it = queue_.begin(); it != queue_.end();) {
            if (drop(**it)) {
                dropped.push_back(*it);
                it = queue_.erase(it);
            } else {
                ++it;
            }
        }
        idle_.wait(g, [&] { return !busy_ || !drop(*busy_); });
        take_locked(done);
    }

private:
    void main();
    void take_locked(std::vector<Done> &done);

    Vcpu &v_;
    CodeBuffer &buf_;
    const bool perf_map_;
    std::atomic<bool> &attention_;
    std::mutex lock_;
    std::condition_variable work_;   // the worker waits for a request or stop_
    std::condition_variable idle_;   // forget() waits for the block in flight
    std::deque<Block *> queue_;
    std::vector<Done> done_;
    const Block *busy_ = nullptr;   // the block being compiled
    bool stop_ = false;
    std::thread thread_;   // last: starts once everything above is made
};

} // namespace phv::jit
