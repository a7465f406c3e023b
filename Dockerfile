# otaconf on Debian 12: docker build -t otaconf .
#   docker run --rm --network host -v "$PWD:/work" otaconf server --url http://127.0.0.1:8080 --results results.json
# The build stage installs the build dependencies (scripts/install-deps.sh),
# builds the release preset and installs it to /opt/otaconf; the runtime
# stage holds that tree (bin/, lib/, share/otaconf/: otaconf finds its data
# and reference adapters relative to itself) and its shared libraries.
FROM debian:12 AS build
WORKDIR /src/otaconf
COPY . .
RUN ./scripts/install-deps.sh \
 && cmake --preset release \
 && cmake --build --preset release \
 && cmake --install build/release --prefix /opt/otaconf

FROM debian:12
# libssl3: libssl.so.3 and libcrypto.so.3 (otaconf, ota-refserver); libre2-9: RE2 (otaconf).
# libstdc++6 and libgcc-s1 are in the base image already. libasan8 and
# libubsan1: the ASan build of the reference client that
# `otaconf mutation --side client` runs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libre2-9 libasan8 libubsan1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/otaconf /opt/otaconf
ENV PATH=/opt/otaconf/bin:$PATH
WORKDIR /work
ENTRYPOINT ["otaconf"]
CMD ["--help"]
