#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16 at the CLI: input files that are directories, flags given twice, --batch above
# acc_slots, a layer that cannot fit (refused before allocating), outputs that are inputs (refused
# with exit 2, the input intact) and a full disk (exit 1 naming the OS reason, the old output
# intact). Usage: tests/system/robust_cli.sh [BUILD]   (the tmpfs case needs root, else SKIP)
set -u
build=${1:-${BUILD:-build}}
aimc=$build/sw/aimc
aimc_test=$build/tests/aimc-test   # the chip tests (tests/chip)
py=${PYTHON:-.venv/bin/python}
dir=$build/tests/robust_cli; rm -rf "$dir"; mkdir -p "$dir/adir"
pass=0; fail=0; skip=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
expect() { # name, expected exit, message regex, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then ok "$name"
  else ko "$name" "expected exit $want and /$re/, got exit $rc: $(head -3 <<<"$out" | tr '\n' ' ')"; fi
}
intact() { # name, file, saved copy; restores the file so that the next case starts clean
  if cmp -s "$2" "$3"; then ok "$1"; else ko "$1" "$2 changed (or is gone)"; cp "$3" "$2"; fi
}
# A valid 1-layer network file (K=4, N=2, format 1) written byte by byte, as in bad_input.sh.
"$py" - "$dir" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
k, n = 4, 2
w = bytes(((i * 37) % 255 - 127) & 0xFF for i in range(n * k))
layer = struct.pack("<6I", 1, k, n, 1, 0, 0) + w + b"\0" * (-len(w) % 4)
layer += struct.pack(f"<{n}i", *([5] * n)) + struct.pack(f"<{n}i", *([300] * n)) + struct.pack(f"<{n}I", *([3] * n))
hdr = b"KHNF" + struct.pack("<HHIIIfII", 1, 32, 1, k, n, 0.05, 0, 32 + len(layer) + 4)
body = hdr + layer
open(f"{d}/net.khnf", "wb").write(body + struct.pack("<I", zlib.crc32(body)))
open(f"{d}/x.i8", "wb").write(bytes(range(1, 9)))
PY
cp "$dir/net.khnf" "$dir/net.saved"; cp "$dir/x.i8" "$dir/x.saved"
cfg=configs/tiny.cfg
net=$dir/net.khnf; x=$dir/x.i8

# ---- directories given as input files -------------------------------------------------------
expect "dir as run --net" 2 "adir.*is a directory" "$aimc" run --config $cfg --net "$dir/adir" --inputs "$x" --out "$dir/y.i8"
expect "dir as run --inputs" 2 "adir.*is a directory" "$aimc" run --config $cfg --net "$net" --inputs "$dir/adir" --out "$dir/y.i8"
expect "dir as run --config" 2 "adir.*is a directory" "$aimc" run --config "$dir/adir" --net "$net" --inputs "$x" --out "$dir/y.i8"
expect "dir as forward --net" 2 "adir.*is a directory" "$aimc" forward --net "$dir/adir" --inputs "$x" --out "$dir/y.i8"
expect "dir as forward --inputs" 2 "adir.*is a directory" "$aimc" forward --net "$net" --inputs "$dir/adir" --out "$dir/y.i8"
expect "dir as compile --net" 2 "adir.*is a directory" "$aimc" compile --config $cfg --net "$dir/adir"
expect "dir as info --net" 2 "adir.*is a directory" "$aimc" info --config $cfg --net "$dir/adir"
expect "dir as config --check" 2 "adir.*is a directory" "$aimc" config --check "$dir/adir"
expect "dir as run --out" 2 "adir.*is a directory" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/adir"
[ -e "$dir/y.i8" ] && ko "no output on bad input" "$dir/y.i8 was written" || ok "no output on bad input"

# ---- silent surprises -----------------------------------------------------------------------
expect "--config twice" 2 "--config.*(twice|more than once)" "$aimc" run --config $cfg --config configs/small.cfg --net "$net" --inputs "$x" --out "$dir/y.i8"
expect "--net twice" 2 "--net.*(twice|more than once)" "$aimc" forward --net "$net" --net "$net" --inputs "$x" --out "$dir/y.i8"
expect "run --batch above acc_slots" 2 "batch 17.*acc_slots.*16" "$aimc" run --config $cfg --batch 17 --net "$net" --inputs "$x" --out "$dir/y.i8"
expect "compile --batch above acc_slots" 2 "batch 17.*acc_slots.*16" "$aimc" compile --config $cfg --batch 17 --net "$net"
expect "run --batch = acc_slots runs" 0 "" "$aimc" run --config $cfg --batch 16 --net "$net" --inputs "$x" --out "$dir/y.i8"
rm -f "$dir/y.i8"
# 65535 x 65535 weights are 4 GB: with 1 GB of address space it must be refused before allocating.
# (An ASan build reserves terabytes of shadow memory: no address-space limit for it.)
vlimit="ulimit -v 1000000;"; grep -q __asan_init "$aimc_test" && vlimit=
expect "layer-test 65535x65535 fails fast" 2 "does not fit" \
  bash -c "$vlimit exec timeout 20 '$aimc_test' layer-test --config $cfg --rows 65535 --cols 65535 --batch 1"

# ---- an output that is an input: refused with exit 2, the input intact ----------------------
expect "forward --out = --net" 2 "same file" "$aimc" forward --net "$net" --inputs "$x" --out "$net"
intact "forward --out = --net: network intact" "$net" "$dir/net.saved"
expect "run --out = --net" 2 "same file" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$net"
intact "run --out = --net: network intact" "$net" "$dir/net.saved"
expect "run --out = --inputs" 2 "same file" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$x"
intact "run --out = --inputs: inputs intact" "$x" "$dir/x.saved"
expect "run --report = --net" 2 "same file" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/y.i8" --report "$net"
intact "run --report = --net: network intact" "$net" "$dir/net.saved"
expect "run --out = --report" 2 "same file" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/y.i8" --report "$dir/y.i8"
ln -f "$net" "$dir/hardlink.khnf"; ln -sf net.khnf "$dir/symlink.khnf"
expect "run --out = a hard link of --net" 2 "same file" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/hardlink.khnf"
expect "forward --out = a symlink to --net" 2 "same file" "$aimc" forward --net "$net" --inputs "$x" --out "$dir/symlink.khnf"
cp $cfg "$dir/c.cfg"
expect "run --out = --config" 2 "same file" "$aimc" run --config "$dir/c.cfg" --net "$net" --inputs "$x" --out "$dir/c.cfg"
intact "hard link / symlink cases: network intact" "$net" "$dir/net.saved"
printf 'C 0\n' > "$dir/log.txt"; cp "$dir/log.txt" "$dir/log.saved"
expect "--record = the replay log" 2 "same file" "$aimc_test" csr-test --config $cfg --backend "replay:$dir/log.txt" --record "$dir/log.txt"
intact "--record = the replay log: log intact" "$dir/log.txt" "$dir/log.saved"
[ -e "$dir/y.i8" ] && ko "no output written when refused" "$dir/y.i8 exists" || ok "no output written when refused"
# a good run replaces an existing output whole, and leaves no temporary beside it
printf 'old' > "$dir/y.i8"
expect "run rewrites an existing output" 0 "" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/y.i8" --report "$dir/r.json"
[ "$(stat -c %s "$dir/y.i8")" -eq 4 ] && ok "output replaced (4 bytes)" || ko "output replaced" "size $(stat -c %s "$dir/y.i8")"
printf 'old trace\n' > "$dir/t.txt"
expect "csr-test --record replaces an old trace" 0 "passed" "$aimc_test" csr-test --config $cfg --record "$dir/t.txt"
[ "$(tail -1 "$dir/t.txt")" = E ] && ok "trace complete (ends with E)" || ko "trace complete" "last line '$(tail -1 "$dir/t.txt")'"
leftovers=$(find "$dir" -maxdepth 1 -name '*.tmp*' | wc -l)
[ "$leftovers" -eq 0 ] && ok "no temporary files left" || ko "no temporary files left" "$leftovers left"

# a device is written directly, never replaced by a regular file
expect "run --out /dev/null --report /dev/null" 0 "" "$aimc" run --config $cfg --net "$net" --inputs "$x" --out /dev/null --report /dev/null
[ -c /dev/null ] && ok "/dev/null still a device" || ko "/dev/null still a device" "it is not a character device any more"

# ---- back-end failures name the cause --------------------------------------------------------
expect "replay log missing: the OS reason" 1 "nonexistent.txt.*No such file or directory" \
  "$aimc_test" csr-test --config $cfg --backend "replay:$dir/nonexistent.txt"
expect "devmem file missing: the OS reason" 1 "nonexistent.bin.*No such file or directory" \
  "$aimc" info --config $cfg --backend "devmem:$dir/nonexistent.bin"
expect "serial device missing: the OS reason" 1 "ttyNONE.*No such file or directory" \
  "$aimc" info --config $cfg --backend "serial:$dir/ttyNONE"
head -c 8388608 /dev/zero > "$dir/zero.bin"
expect "devmem of zeros: no chip, says the id it read" 1 "id register reads 0x00000000.*0x41494d43" \
  "$aimc" info --config $cfg --backend "devmem:$dir/zero.bin"
expect "run on devmem of zeros: says the id it read" 1 "id register reads 0x00000000" \
  "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/y.i8" --backend "devmem:$dir/zero.bin"
rm -f "$dir/zero.bin" "$dir/y.i8"

# ---- a full disk: exit 1 with the OS reason, the previous output intact ---------------------
if [ "$(id -u)" != 0 ]; then
  echo "SKIP full disk (tmpfs): needs root to mount a 64 KiB tmpfs"; skip=$((skip + 1))
elif ! command -v mount >/dev/null; then
  echo "SKIP full disk (tmpfs): no mount command"; skip=$((skip + 1))
else
  mnt=$(mktemp -d /tmp/aimc_full_XXXXXX)
  cleanup() { umount "$mnt" 2>/dev/null; rmdir "$mnt" 2>/dev/null; }
  trap cleanup EXIT
  if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>"$dir/mount.err"; then
    echo "SKIP full disk (tmpfs): mount failed: $(cat "$dir/mount.err")"; skip=$((skip + 1))
  else
    # the old outputs (4 bytes) and report are there first; 64 KiB of inputs -> 32 KiB of outputs,
    # more than the page the old file frees when it is truncated
    head -c 65536 /dev/urandom > "$dir/x64k.i8"
    "$aimc" forward --net "$net" --inputs "$x" --out "$mnt/y.i8" >/dev/null
    "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$mnt/y2.i8" --report "$mnt/r.json" >/dev/null
    cp "$mnt/y.i8" "$dir/y.saved"; cp "$mnt/r.json" "$dir/r.saved"; cp "$mnt/y2.i8" "$dir/y2.saved"
    dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null   # until ENOSPC
    expect "full disk: forward --out exits 1 naming the OS reason" 1 "No space left on device" \
      "$aimc" forward --net "$net" --inputs "$dir/x64k.i8" --out "$mnt/y.i8"
    intact "full disk: old forward output intact" "$mnt/y.i8" "$dir/y.saved"
    expect "full disk: run --out exits 1 naming the OS reason" 1 "No space left on device" \
      "$aimc" run --config $cfg --net "$net" --inputs "$dir/x64k.i8" --out "$mnt/y2.i8"
    intact "full disk: old run output intact" "$mnt/y2.i8" "$dir/y2.saved"
    expect "full disk: run --report exits 1 naming the OS reason" 1 "No space left on device" \
      "$aimc" run --config $cfg --net "$net" --inputs "$x" --out "$dir/y3.i8" --report "$mnt/r.json"
    intact "full disk: old report intact" "$mnt/r.json" "$dir/r.saved"
    rm -f "$mnt/fill"; "$aimc" info --config $cfg --record "$mnt/t.txt" >/dev/null  # a short trace
    cp "$mnt/t.txt" "$dir/t.saved"; dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
    expect "full disk: --record trace exits 1, says the old trace is unchanged" 1 "t.txt' is unchanged" \
      "$aimc_test" csr-test --config $cfg --record "$mnt/t.txt"
    intact "full disk: old trace intact" "$mnt/t.txt" "$dir/t.saved"
    left=$(find "$mnt" -name '*.tmp*' | wc -l)
    [ "$left" -eq 0 ] && ok "full disk: no temporary left" || ko "full disk: no temporary left" "$left left"
  fi
  cleanup; trap - EXIT
fi
echo "robust_cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
