// SerialTap (see serial_tap.hpp): one thread polls the device, the pty master and a wake-up
// pipe; bytes are decoded (a few microseconds) and a completed frame recorded before they are
// written on, so the log's order is the order in which the two sides could act.
#include "drivers/nfc/serial_tap.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "kvittens/devices.hpp"

namespace kvittens::drivers {
namespace {

// A quiet line this long ends a partial frame (libnfc's own inter-byte wait is far shorter).
constexpr int kIdleFlushMs = 50;

speed_t speed_of(int baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 921600:
      return B921600;
    default:
      return B115200;
  }
}

void set_raw(int fd, int baud) {
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) return;  // not a tty: nothing to set
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  ::cfsetispeed(&tio, speed_of(baud));
  ::cfsetospeed(&tio, speed_of(baud));
  ::tcsetattr(fd, TCSANOW, &tio);
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const auto w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd out{fd, POLLOUT, 0};
        ::poll(&out, 1, 100);
        continue;
      }
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

SerialTap::SerialTap(std::string device, int baud, std::string log_name)
    : device_(std::move(device)), log_name_(std::move(log_name)) {
  const auto fail = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    close_fd(device_fd_);
    close_fd(master_fd_);
    close_fd(slave_fd_);
    throw DeviceError(DeviceErrorCode::NoDevice,
                      "nfc reader " + device_ + ": " + what + ": " + why);
  };
  device_fd_ = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (device_fd_ < 0) fail("cannot open the serial port");
  set_raw(device_fd_, baud);
  master_fd_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_fd_ < 0 || ::grantpt(master_fd_) != 0 || ::unlockpt(master_fd_) != 0) {
    fail("cannot open a pty for the serial tap");
  }
  std::array<char, 128> name{};
  if (::ptsname_r(master_fd_, name.data(), name.size()) != 0) fail("ptsname");
  host_path_ = name.data();
  slave_fd_ = ::open(host_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave_fd_ < 0) fail("cannot open the tap's pty");
  set_raw(slave_fd_, baud);
  ::fcntl(master_fd_, F_SETFL, ::fcntl(master_fd_, F_GETFL) | O_NONBLOCK);
  if (::pipe2(wake_, O_CLOEXEC) != 0) fail("pipe");
  thread_ = std::thread([this] { run(); });
}

SerialTap::~SerialTap() {
  const char stop = 1;
  [[maybe_unused]] const auto n = ::write(wake_[1], &stop, 1);
  if (thread_.joinable()) thread_.join();
  close_fd(device_fd_);
  close_fd(master_fd_);
  close_fd(slave_fd_);
  close_fd(wake_[0]);
  close_fd(wake_[1]);
}

void SerialTap::record(const pn532::Frame& frame, bool from_host) {
  DeviceLog* log = log_.load();
  if (log == nullptr) return;
  DeviceLogEntry e;
  e.device = log_name_;
  e.transport = "pn532";
  e.direction = from_host ? "host>reader" : "reader>host";
  e.what = frame.name;
  e.detail = pn532::hex(frame.bytes);
  e.verdict = frame.verdict;
  log->record(std::move(e));
}

// Moves what is readable on `from` to `to`; false when either end is gone.
bool SerialTap::relay(int from, int to, pn532::FrameDecoder& decoder, bool from_host) {
  std::array<std::uint8_t, 512> buf{};
  const auto n = ::read(from, buf.data(), buf.size());
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;
  // Logged before it is passed on: the other side cannot act on a frame (and the harness
  // cannot move to its next step) before the frame is in the log.
  for (const auto& f : decoder.feed({buf.data(), static_cast<std::size_t>(n)})) {
    record(f, from_host);
  }
  return write_all(to, buf.data(), static_cast<std::size_t>(n));
}

void SerialTap::run() {
  pn532::FrameDecoder to_reader(true), to_host(false);
  const auto flush = [&] {
    for (const auto& f : to_reader.flush()) record(f, true);
    for (const auto& f : to_host.flush()) record(f, false);
  };
  for (;;) {
    std::array<pollfd, 3> fds{
        {{wake_[0], POLLIN, 0}, {master_fd_, POLLIN, 0}, {device_fd_, POLLIN, 0}}};
    const bool partial = to_reader.pending() || to_host.pending();
    const int ready = ::poll(fds.data(), fds.size(), partial ? kIdleFlushMs : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) {
      flush();
      continue;
    }
    if (fds[0].revents != 0) break;
    if ((fds[1].revents & POLLIN) && !relay(master_fd_, device_fd_, to_reader, true)) break;
    if ((fds[2].revents & POLLIN) && !relay(device_fd_, master_fd_, to_host, false)) break;
    if ((fds[2].revents & (POLLHUP | POLLERR)) && !(fds[2].revents & POLLIN)) break;
  }
  flush();
  // The device is gone (or we are stopping): libnfc's next read or write fails as on the device.
  close_fd(device_fd_);
  close_fd(slave_fd_);
  close_fd(master_fd_);
}

}  // namespace kvittens::drivers
