"""A point-to-point link with a fixed one-way delay, in user space: two TUN devices, every IP packet read from one
is written to the other ``--delay-ms`` later (FIFO, no loss, no reordering, no rate limit).

This stands in for ``tc qdisc ... netem delay`` on a veth pair: this machine's kernel is built without
sch_netem (and without sch_fq, so no EDT/BPF delay either), but it has TUN. The benchmark creates both devices
through this process, moves one into its own network namespace, and addresses them as a private /30:

    host  wbh0 10.200.0.1/30  <--- delay each way --->  wbn0 10.200.0.2/30  (namespace wbench, nginx)

The delay applies to every packet in both directions, so a round trip costs 2 x delay (the handshake, each
request/response exchange and each TCP ACK clock included). Prints "ready" on stdout once both devices exist.
Exits when its stdin closes or on SIGTERM/SIGINT; the devices vanish with it (they are not persistent).
"""

from __future__ import annotations

import argparse
import collections
import fcntl
import os
import select
import signal
import struct
import sys
import threading
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", default="wbh0")
    ap.add_argument("--b", default="wbn0")
    ap.add_argument("--delay-ms", type=float, default=50.0, help="one-way delay, each direction")
    a = ap.parse_args()
    delay = a.delay_ms / 1000.0
    fa, fb = open_tun(a.a), open_tun(a.b)
    stop = threading.Event()

    def on_signal(*_):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # stdin closing (the parent died) also stops us
    def watch_stdin() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    # queue of (due, packet) per direction; constant delay keeps each queue sorted
    q_ab: collections.deque[tuple[float, bytes]] = collections.deque()
    q_ba: collections.deque[tuple[float, bytes]] = collections.deque()
    lanes = ((fa, q_ab, fb), (fb, q_ba, fa))
    print("ready", flush=True)
    mono = time.monotonic
    while not stop.is_set():
        now = mono()
        nxt = None
        for _src, q, dst in lanes:
            while q and q[0][0] <= now:
                try:
                    os.write(dst, q.popleft()[1])
                except OSError:
                    pass  # device going down: drop, like a wire would
            if q and (nxt is None or q[0][0] < nxt):
                nxt = q[0][0]
        timeout = 0.2 if nxt is None else max(0.0, nxt - mono())
        try:
            ready, _, _ = select.select([fa, fb], [], [], timeout)
        except InterruptedError:
            continue
        for src, q, _dst in lanes:
            if src in ready:
                for _ in range(256):
                    try:
                        pkt = os.read(src, 65536)
                    except BlockingIOError:
                        break
                    except OSError:
                        break
                    q.append((mono() + delay, pkt))
    os.close(fa)
    os.close(fb)


if __name__ == "__main__":
    main()
