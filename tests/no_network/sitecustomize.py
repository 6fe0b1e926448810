"""Cuts this Python process off the network (loaded at start-up by every Python that has this
folder on PYTHONPATH, as the reliability tests' notebook kernels do).

A connection or name lookup for any host other than this machine's loopback fails at once with
``OSError`` (errno ENETUNREACH) and is written to the file named by ``GAN_COURSE_NETWORK_LOG``,
so a test can assert that the course never even *tried* the network. Loopback stays open: the
Jupyter kernel talks to its client over it. The tests also point the proxy variables at a closed
loopback port (``GAN_COURSE_TRAP_PORT``), so that HTTP clients outside Python fail at once too; a
Python connection to that port is refused and logged like any other.
"""

import errno
import os
import socket

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    return host in _LOOPBACK_NAMES or host.startswith("127.") or host in ("::1", "0.0.0.0", "")


def _refuse(what: str, target) -> None:
    log = os.environ.get("GAN_COURSE_NETWORK_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"pid {os.getpid()}: {what} {target!r}\n")
    raise OSError(errno.ENETUNREACH, f"no network (the course's no-network test): {what} {target!r}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _check(sock, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        trap = os.environ.get("GAN_COURSE_TRAP_PORT")
        if not _is_loopback(address[0]) or (trap and str(address[1]) == trap):
            _refuse("connect", address)


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(host):
        _refuse("name lookup", host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
socket.NO_NETWORK_GUARD = True  # lets a test check that the guard is active in a kernel
