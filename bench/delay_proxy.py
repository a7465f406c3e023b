#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay to every answer: a server "far away"
for bench/run.sh's latency efficiency (bench only, loopback only).

Usage: delay_proxy.py UPSTREAM_HOST:PORT DELAY_MS
Prints http://127.0.0.1:PORT (its own free port) and forwards until killed;
every chunk from the upstream reaches the client DELAY_MS later, so each
request/answer round trip takes DELAY_MS more.
"""
import asyncio
import sys


async def pipe(reader, writer, delay):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    host, port = sys.argv[1].rsplit(":", 1)
    delay = float(sys.argv[2]) / 1000.0

    async def handle(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, upstream_writer, 0), pipe(upstream_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print("http://127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
