#include "jit/compile_worker.h"

#include <pthread.h>
#include <signal.h>

#include <functional>

namespace phv::jit {

namespace {
// The worker takes no signals: a VMM (QEMU, phv-run) directs its own at the threads it made, and a signal
// meant for the process must not land on a thread that cannot act on it.
std::thread start_without_signals(std::function<void()> body) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    struct Restore {
        sigset_t *old;
        ~Restore() { pthread_sigmask(SIG_SETMASK, old, nullptr); }
    } restore{&old};
    return std::thread(std::move(body));
}
} // namespace

CompileWorker::CompileWorker(Vcpu &v, CodeBuffer &buf, bool perf_map, std::atomic<bool> &attention)
    : v_(v), buf_(buf), perf_map_(perf_map), attention_(attention), thread_(start_without_signals([this] { main(); })) {}

CompileWorker::~CompileWorker() {
    {
        std::lock_guard g(lock_);
        stop_ = true;
        queue_.clear();
    }
    work_.notify_one();
    thread_.join();
}

void CompileWorker::request(Block &b) {
    {
        std::lock_guard g(lock_);
        queue_.push_back(&b);
    }
    work_.notify_one();
}

void CompileWorker::take(std::vector<Done> &done) {
    std::lock_guard g(lock_);
    take_locked(done);
}

void CompileWorker::take_locked(std::vector<Done> &done) {
    done.insert(done.end(), done_.begin(), done_.end());
    done_.clear();
}

void CompileWorker::main() {
    pthread_setname_np(pthread_self(), "phv-jit");
    std::unique_lock g(lock_);
    for (;;) {
        work_.wait(g, [&] { return stop_ || !queue_.empty(); });
        if (stop_)
            return;
        Block *b = queue_.front();
        queue_.pop_front();
        busy_ = b;
        g.unlock();
        Compiled code = emit(v_, *b, buf_, perf_map_);
        g.lock();
        busy_ = nullptr;
        done_.push_back({b, code});
        idle_.notify_all();
        // Raised after the result is in done_: the vcpu that takes the flag finds it there.
        attention_.store(true, std::memory_order_release);
    }
}

} // namespace phv::jit
