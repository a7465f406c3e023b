#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every fuzz/<subject>_fuzzer.cc becomes
# $OUT/<subject>_fuzzer with <subject>_fuzzer_seed_corpus.zip, .dict and
# .options beside it. Uses the variables OSS-Fuzz sets: CC, CXX, CFLAGS,
# CXXFLAGS, LIB_FUZZING_ENGINE, SRC, OUT.
#
# The system's static libraries (RapidCheck's) are built against libstdc++,
# so the build drops OSS-Fuzz's -stdlib=libc++. OTACONF_FUZZ_STATIC links
# OpenSSL and libstdc++ in: the runner image has glibc and nothing else of
# this build (fuzz/check_linkage.sh checks it).
src=${SRC}/otaconf
[[ -d $src ]] || src=$(cd "$(dirname "$0")/../.." && pwd)
export CXXFLAGS="${CXXFLAGS//-stdlib=libc++/}"
build=${WORK:-/tmp}/otaconf-oss-fuzz-build

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DOTACONF_BUILD_TESTS=OFF -DOTACONF_WERROR=OFF \
  -DOTACONF_FUZZ=ON -DOTACONF_FUZZ_STATIC=ON -DOTACONF_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"

targets=$(cd "$src/fuzz" && ls *_fuzzer.cc | sed 's/\.cc$//')
cmake --build "$build" --target fuzz_dictionary $targets
"$src/fuzz/check_linkage.sh" $(for t in $targets; do echo "$build/fuzz/$t"; done)

for fuzzer in $targets; do
  subject=${fuzzer%_fuzzer}
  corpus=$subject
  case $subject in adapter | json_baseline) corpus=client_parser ;; esac
  cp "$build/fuzz/$fuzzer" "$OUT/"
  cp "$build/fuzz/otaconf.dict" "$OUT/$fuzzer.dict"
  max_len=4096
  [[ $subject == spec_loader ]] && max_len=262144
  printf '[libfuzzer]\nmax_len = %s\ndict = %s.dict\n' "$max_len" "$fuzzer" >"$OUT/$fuzzer.options"
  (cd "$src/corpus/$corpus" && zip -q -r "$OUT/${fuzzer}_seed_corpus.zip" .)
done
