// The pty link of the PN532 emulator: reads host bytes on the master side, cuts them into
// frames (frame.hpp), lets the chip (chip.hpp) execute commands, and writes ACKs and answers
// back, with the chip's RF time and any injected fault. Everything runs on one io_context
// thread; the control face posts onto it and waits for the result.
#include "sim/emu/pn532/emulator.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <utility>  // boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <deque>
#include <future>
#include <map>
#include <optional>
#include <system_error>
#include <thread>

namespace kvittens::emu::pn532 {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

std::system_error os_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

struct PlannedFault {
  ResponseFault kind;
  milliseconds delay;
};

}  // namespace

struct Emulator::Impl {
  explicit Impl(ChipTiming timing) : chip(timing) {}

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::posix::stream_descriptor master{io};
  asio::steady_timer reply_timer{io};
  int slave_holder = -1;  // keeps the slave open so the master never sees a hangup between clients
  std::string path;
  std::thread thread;

  Chip chip;
  std::vector<std::uint8_t> rx;
  std::deque<std::vector<std::uint8_t>> outbox;
  std::vector<std::uint8_t> last_answer;  // resent on NACK
  // The command being worked on while the chip waits for a tag, and its give-up timer's turn.
  std::optional<std::vector<std::uint8_t>> waiting_command;
  std::uint64_t turn = 0;

  std::size_t commands = 0;
  std::map<std::size_t, PlannedFault> planned;  // by command number
  milliseconds response_delay{0};
  bool silent = false;
  bool is_unplugged = false;
  std::vector<Reject> rejects;

  // Runs f on the io thread and returns its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    using R = decltype(f());
    if (std::this_thread::get_id() == thread.get_id()) return f();
    auto done = std::make_shared<std::promise<R>>();
    auto result = done->get_future();
    asio::post(io, [f = std::move(f), done]() mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          f();
          done->set_value();
        } else {
          done->set_value(f());
        }
      } catch (...) {
        done->set_exception(std::current_exception());
      }
    });
    return result.get();
  }

  void open_pty() {
    const int fd = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) throw os_error("posix_openpt");
    std::array<char, 128> name{};
    if (::grantpt(fd) != 0 || ::unlockpt(fd) != 0 ||
        ::ptsname_r(fd, name.data(), name.size()) != 0) {
      const auto e = os_error("pty setup");
      ::close(fd);
      throw e;
    }
    path = name.data();
    slave_holder = ::open(path.c_str(), O_RDWR | O_NOCTTY);
    if (slave_holder < 0) {
      const auto e = os_error("open pty slave");
      ::close(fd);
      throw e;
    }
    // Raw bytes both ways: no echo, no line editing, no CR/LF translation.
    termios tio{};
    ::tcgetattr(slave_holder, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(slave_holder, TCSANOW, &tio);
    master.assign(fd);
  }

  asio::awaitable<void> read_loop() {
    std::array<std::uint8_t, 512> buf{};
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await master.async_read_some(
          asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // aborted on shutdown/unplug, or the pty went away: nothing to serve
      rx.insert(rx.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      on_bytes();
    }
  }

  void on_bytes() {
    for (;;) {
      ParseResult r = parse(rx, Direction::HostToChip);
      rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      if (r.status == ParseResult::Status::NeedMore) return;
      if (r.status == ParseResult::Status::Rejected) {
        rejects.push_back(r.reason);
        // Line noise before a frame is dropped quietly; a broken frame is refused.
        if (r.reason != Reject::Preamble) send(nack_frame());
        continue;
      }
      on_frame(r.frame);
    }
  }

  void on_frame(const Frame& f) {
    switch (f.kind) {
      case FrameKind::Ack:  // the host aborts the command in progress
        cancel_pending();
        return;
      case FrameKind::Nack:  // the host lost our answer: send it again
        if (!last_answer.empty()) send(last_answer);
        return;
      case FrameKind::ApplicationError:
        return;
      case FrameKind::Information:
        break;
    }
    cancel_pending();  // a new command supersedes one still running
    send(ack_frame());
    const std::size_t number = ++commands;
    std::optional<PlannedFault> fault;
    if (auto it = planned.find(number); it != planned.end()) {
      fault = it->second;
      planned.erase(it);
    }
    try {
      answer(f.data, chip.execute(f.data), fault);
    } catch (const std::exception&) {
      // Whatever the host sent, the emulator answers and keeps serving.
      deliver(application_error_frame());
    }
  }

  void cancel_pending() {
    ++turn;
    waiting_command.reset();
    reply_timer.cancel();
  }

  void answer(const std::vector<std::uint8_t>& command, const ChipReply& reply,
              std::optional<PlannedFault> fault) {
    if (silent || (fault && fault->kind == ResponseFault::NoResponse)) return;
    auto frame = reply.application_error ? application_error_frame()
                                         : serialize(reply.data, Direction::ChipToHost);
    if (fault && fault->kind == ResponseFault::CorruptChecksum) frame[frame.size() - 2] ^= 0xFF;
    if (reply.waits_for_tag) waiting_command = command;
    if (reply.delay == kForever) return;  // only a tag entering the field ends the wait
    milliseconds delay = reply.delay + response_delay;
    if (fault && fault->kind == ResponseFault::Delay) delay += fault->delay;
    if (delay == milliseconds{0}) {
      waiting_command.reset();
      deliver(std::move(frame));
      return;
    }
    const auto my_turn = turn;
    reply_timer.expires_after(delay);
    reply_timer.async_wait(
        [this, my_turn, frame = std::move(frame)](boost::system::error_code ec) mutable {
          if (ec || my_turn != turn) return;
          waiting_command.reset();
          deliver(std::move(frame));
        });
  }

  void deliver(std::vector<std::uint8_t> frame) {
    last_answer = frame;
    send(std::move(frame));
  }

  // A tag entered the field: a command that was polling for one runs again and may now answer.
  void retry_waiting() {
    if (!waiting_command) return;
    const auto command = *waiting_command;
    ChipReply reply = chip.execute(command);
    if (reply.waits_for_tag) return;  // still nothing for it (e.g. another UID wanted)
    ++turn;
    reply_timer.cancel();
    waiting_command.reset();
    answer(command, reply, std::nullopt);
  }

  void send(std::vector<std::uint8_t> bytes) {
    if (!master.is_open()) return;
    outbox.push_back(std::move(bytes));
    if (outbox.size() == 1) write_next();
  }

  void write_next() {
    asio::async_write(master, asio::buffer(outbox.front()),
                      [this](boost::system::error_code ec, std::size_t) {
                        if (ec) {
                          outbox.clear();
                          return;
                        }
                        outbox.pop_front();
                        if (!outbox.empty()) write_next();
                      });
  }

  void close_link() {
    cancel_pending();
    boost::system::error_code ignored;
    master.close(ignored);
    if (slave_holder >= 0) ::close(slave_holder);
    slave_holder = -1;
  }
};

Emulator::Emulator(ChipTiming timing) : impl_(std::make_unique<Impl>(timing)) {
  impl_->open_pty();
  asio::co_spawn(impl_->io, impl_->read_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

Emulator::~Emulator() {
  impl_->call([this] { impl_->close_link(); });
  impl_->work.reset();
  impl_->thread.join();
}

const std::string& Emulator::device_path() const {
  return impl_->path;
}
std::string Emulator::connstring() const {
  return "pn532_uart:" + impl_->path;
}

void Emulator::add_tag(Ntag tag) {
  impl_->call([this, t = std::move(tag)]() mutable { impl_->chip.add_tag(std::move(t)); });
}

bool Emulator::place_tag(const Uid& uid) {
  return impl_->call([this, uid] {
    const bool ok = impl_->chip.place(uid);
    if (ok) impl_->retry_waiting();
    return ok;
  });
}

bool Emulator::remove_tag(const Uid& uid) {
  return impl_->call([this, uid] { return impl_->chip.remove(uid); });
}

void Emulator::clear_field() {
  impl_->call([this] { impl_->chip.remove_all(); });
}

std::vector<Uid> Emulator::tags_in_field() const {
  return impl_->call([this] { return impl_->chip.in_field(); });
}

void Emulator::remove_tag_on_read(std::size_t nth) {
  impl_->call([this, nth] { impl_->chip.remove_tag_on_read(nth); });
}

void Emulator::fail_response(std::size_t nth, ResponseFault fault, milliseconds delay) {
  impl_->call([this, nth, fault, delay] {
    if (nth > 0) impl_->planned[impl_->commands + nth] = PlannedFault{fault, delay};
  });
}

void Emulator::set_response_delay(milliseconds delay) {
  impl_->call([this, delay] { impl_->response_delay = delay; });
}

void Emulator::set_silent(bool silent) {
  impl_->call([this, silent] { impl_->silent = silent; });
}

void Emulator::clear_faults() {
  impl_->call([this] {
    impl_->planned.clear();
    impl_->response_delay = milliseconds{0};
    impl_->silent = false;
    impl_->chip.remove_tag_on_read(0);
  });
}

void Emulator::unplug() {
  impl_->call([this] {
    impl_->is_unplugged = true;
    impl_->close_link();
  });
}

std::size_t Emulator::commands_received() const {
  return impl_->call([this] { return impl_->commands; });
}

std::vector<Reject> Emulator::rejected_frames() const {
  return impl_->call([this] { return impl_->rejects; });
}

PowerMode Emulator::power_mode() const {
  return impl_->call([this] { return impl_->chip.power_mode(); });
}

bool Emulator::unplugged() const {
  return impl_->call([this] { return impl_->is_unplugged; });
}

}  // namespace kvittens::emu::pn532
