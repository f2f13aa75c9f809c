"""Which network addresses pdpack may connect to when it fetches a contributed URL.

A contribution names the URLs, so without a check a manifest could make the build (or the
pull-request check) talk to the machine itself, its cloud metadata service or the private
network it runs in. Only public unicast addresses pass; everything else is refused by the
address actually connected to, after the resolver has turned the host into addresses, so odd
spellings (``2130706433``, ``0177.1``, ``[::ffff:127.0.0.1]``) are judged by what they mean.
``--allow-private-urls`` lifts the check for in-house image servers (and tests);
``--allow-private-network CIDR`` lifts it for one network only.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Address blocks that are not public internet hosts, with the words a message uses for them.
# The first match names the block; anything else that Python does not count as global is "reserved".
_BLOCKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared (carrier-grade NAT, RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "reserved (IETF protocol assignments)"),
    ("192.0.2.0/24", "reserved (documentation)"),
    ("192.88.99.0/24", "reserved (6to4 relay)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "reserved (benchmarking)"),
    ("198.51.100.0/24", "reserved (documentation)"),
    ("203.0.113.0/24", "reserved (documentation)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # with 255.255.255.255, the broadcast address
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "reserved (local-use NAT64)"),
    ("100::/64", "reserved (discard-only)"),
    ("2001::/23", "reserved (IETF protocol assignments, Teredo)"),
    ("2001:db8::/32", "reserved (documentation)"),
    ("2002::/16", "reserved (6to4)"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
_NETWORKS = tuple((ipaddress.ip_network(net), words) for net, words in _BLOCKS)
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """A host that resolves to (or is) an address pdpack does not fetch from."""

    def __init__(self, address: str, kind: str) -> None:
        self.address = address
        self.kind = kind
        super().__init__(f"{address} is a {kind} address")


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet host (the kind of address), or None when it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "link-local (scoped)"
        # Forms that carry an IPv4 address are judged by that address: ::ffff:127.0.0.1 is 127.0.0.1.
        embedded = address.ipv4_mapped
        form = "IPv4-mapped"
        if embedded is None and address in _IPV4_COMPATIBLE and int(address) > 1:
            embedded, form = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "IPv4-compatible"
        if embedded is None and address in _NAT64:
            embedded, form = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
        if embedded is not None:
            inner = refusal(embedded)
            if inner is not None:
                return f"{form} {inner}"
            return "IPv4-compatible (deprecated)" if form == "IPv4-compatible" else None
    for network, words in _NETWORKS:
        if address.version == network.version and address in network:
            return words
    return None if address.is_global else "reserved"


@dataclass(frozen=True)
class Policy:
    """What may be fetched besides public addresses: everything (``allow_all``), or these networks."""

    allow_all: bool = False
    networks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for network in self.networks:
            ipaddress.ip_network(network, strict=False)  # ValueError names a malformed one

    def allows(self, address: IPAddress) -> bool:
        if self.allow_all:
            return True
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        candidates = [a for a in (address, plain) if a is not None]
        for network in self.networks:
            parsed = ipaddress.ip_network(network, strict=False)
            if any(a.version == parsed.version and a in parsed for a in candidates):
                return True
        return False


PUBLIC_ONLY = Policy()


def check(address: str, policy: Policy = PUBLIC_ONLY) -> None:
    """Raise AddressRefused unless the policy lets pdpack connect to ``address`` (a numeric address)."""
    parsed = ipaddress.ip_address(address)
    if policy.allows(parsed):
        return
    kind = refusal(parsed)
    if kind is not None:
        raise AddressRefused(str(parsed), kind)


def numeric(host: str) -> str | None:
    """The address a numeric host spells, in any form the resolver accepts (``2130706433``, ``0x7f.1``,
    ``::ffff:7f00:1``), without asking DNS; None for a name."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return None
    return str(infos[0][4][0]) if infos else None


def check_host_offline(host: str, policy: Policy = PUBLIC_ONLY) -> None:
    """The checks that need no network: numeric hosts by their address, and ``localhost`` names by name."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        check("127.0.0.1", policy)  # RFC 6761: these names always mean this machine
        return
    address = numeric(host)
    if address is not None:
        check(address, policy)


def resolve(host: str, port: int, policy: Policy) -> Sequence[tuple[int, str]]:
    """(family, address) pairs to connect to for ``host``: resolved once, every one checked.

    A name with any refused address is refused as a whole (a rebinding name often answers with a
    public and a private address). The caller connects to these exact addresses, so no second
    lookup can change what was checked.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise OSError(f"invalid host name {host!r}") from exc
    found: list[tuple[int, str]] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = str(sockaddr[0])
        check(address, policy)
        if (family, address) not in found:
            found.append((family, address))
    if not found:
        raise OSError(f"{host} has no IPv4 or IPv6 address")
    return found
