#!/bin/bash -eu
# ClusterFuzzLite runs the same build as OSS-Fuzz.
exec "$SRC/otaconf/fuzz/oss-fuzz/build.sh"
