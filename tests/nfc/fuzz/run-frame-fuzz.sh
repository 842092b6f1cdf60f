#!/usr/bin/env bash
# Builds the PN532 frame parser (and the chip behind it) with its libFuzzer entry under clang (ASan + UBSan) and fuzzes
# it for a bounded time. Self-contained: needs only clang++ with libFuzzer, not the main build.
#   run-frame-fuzz.sh CLANGXX SOURCE_DIR WORK_DIR [SECONDS]   (SECONDS defaults to
#   $KVITTENS_FUZZ_SECONDS, else 60)
set -euo pipefail
clangxx=$1 src=$2 work=$3
seconds=${4:-${KVITTENS_FUZZ_SECONDS:-60}}
mkdir -p "$work/corpus"
"$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src" "$src/sim/emu/pn532/frame.cpp" "$src/sim/emu/pn532/chip.cpp" \
  "$src/sim/emu/pn532/ntag.cpp" "$src/tests/nfc/fuzz/frame_fuzz.cpp" \
  -o "$work/pn532_frame_fuzz"
# Seeds: what libnfc really sends (wake-up + SAMConfiguration, GetFirmwareVersion), an ACK,
# a NACK, the error frame and an extended frame header.
printf '\x55\x55\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\x03\xfd\xd4\x14\x01\x17\x00' >"$work/corpus/wakeup-samconfig"
printf '\x00\x00\xff\x02\xfe\xd4\x02\x2a\x00' >"$work/corpus/get-firmware-version"
printf '\x00\x00\xff\x06\xfa\xd5\x03\x32\x01\x06\x07\xe8\x00' >"$work/corpus/firmware-answer"
printf '\x00\x00\xff\x00\xff\x00\x00\x00\xff\xff\x00\x00' >"$work/corpus/ack-nack"
printf '\x00\x00\xff\x01\xff\x7f\x81\x00' >"$work/corpus/error-frame"
printf '\x00\x00\xff\xff\xff\x01\x05\xfa\xd4\x40\x01\x30' >"$work/corpus/extended-head"
printf '\x00\x00\xff\x04\xfc\xd4\x4a\x01\x00\xe1\x00\x00\x00\xff\x05\xfb\xd4\x40\x01\x30\x04\xb7\x00' >"$work/corpus/list-and-read"
cd "$work"
exec ./pn532_frame_fuzz -max_total_time="$seconds" -timeout=10 -print_final_stats=1 corpus
