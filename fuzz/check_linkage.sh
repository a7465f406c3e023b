#!/usr/bin/env bash
# fuzz/check_linkage.sh FUZZER...: fails when a fuzz target needs a shared
# library beyond glibc and the compiler's runtime: OSS-Fuzz runs targets in
# an image without this build's libraries (cpp-httplib, OpenSSL, brotli...).
set -euo pipefail
allowed='^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libutil|libresolv|libgcc_s|libstdc\+\+|libc\+\+|libc\+\+abi|libunwind)\.so'
status=0
for target in "$@"; do
  extra=$(ldd "$target" | awk '{print $1}' | sed 's|.*/||' | grep -Ev "$allowed" || true)
  if [ -n "$extra" ]; then
    echo "$(basename "$target") needs: $(echo $extra)"
    status=1
  else
    echo "$(basename "$target"): glibc and the compiler's runtime only"
  fi
done
exit $status
