package dev.recur.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import com.google.common.net.InetAddresses;

/**
 * The address ranges outbound calls stay out of, and the IPv4 addresses that IPv6 forms carry. The ranges are the
 * IANA special-purpose registries of both families (iana.org/assignments/iana-ipv4-special-registry and
 * iana-ipv6-special-registry), with multicast, IPv4 240.0.0.0/4 and every IPv6 address outside global unicast
 * {@code 2000::/3}.
 */
final class SpecialRanges {

    private record Range(Cidr cidr, String name) {

        static Range of(String cidr, String name) {
            return new Range(Cidr.parse(cidr), name);
        }
    }

    private static final List<Range> IPV4 = List.of(
            Range.of("0.0.0.0/8", "'this network'"),
            Range.of("10.0.0.0/8", "private"),
            Range.of("100.64.0.0/10", "shared (carrier-grade NAT)"),
            Range.of("127.0.0.0/8", "loopback"),
            Range.of("169.254.0.0/16", "link-local (cloud metadata)"),
            Range.of("172.16.0.0/12", "private"),
            Range.of("192.0.0.0/24", "IETF protocol assignments"),
            Range.of("192.0.2.0/24", "documentation"),
            Range.of("192.31.196.0/24", "AS112"),
            Range.of("192.52.193.0/24", "AMT"),
            Range.of("192.88.99.0/24", "6to4 relay anycast"),
            Range.of("192.168.0.0/16", "private"),
            Range.of("192.175.48.0/24", "AS112 direct delegation"),
            Range.of("198.18.0.0/15", "benchmarking"),
            Range.of("198.51.100.0/24", "documentation"),
            Range.of("203.0.113.0/24", "documentation"),
            Range.of("224.0.0.0/4", "multicast"),
            Range.of("240.0.0.0/4", "reserved (and broadcast)"));

    private static final List<Range> IPV6 = List.of(
            Range.of("::/128", "unspecified"),
            Range.of("::1/128", "loopback"),
            Range.of("100::/64", "discard-only"),
            Range.of("100:0:0:1::/64", "dummy prefix"),
            Range.of("2001::/23", "IETF protocol assignments"),
            Range.of("2001:db8::/32", "documentation"),
            Range.of("2620:4f:8000::/48", "AS112 direct delegation"),
            Range.of("3fff::/20", "documentation"),
            Range.of("5f00::/16", "SRv6 SIDs"),
            Range.of("fc00::/7", "unique-local"),
            Range.of("fe80::/10", "link-local"),
            Range.of("fec0::/10", "site-local"),
            Range.of("ff00::/8", "multicast"));

    private static final Cidr GLOBAL_UNICAST = Cidr.parse("2000::/3");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr NAT64_LOCAL = Cidr.parse("64:ff9b:1::/48");

    private SpecialRanges() {}

    /** The special-purpose range {@code address} lies in, as it is; empty when it is a global address. */
    static Optional<String> of(InetAddress address) {
        for (Range range : address instanceof Inet4Address ? IPV4 : IPV6) {
            if (range.cidr().contains(address)) {
                return Optional.of(range.name() + " " + range.cidr());
            }
        }
        if (address instanceof Inet6Address && !GLOBAL_UNICAST.contains(address)) {
            return Optional.of("outside global unicast " + GLOBAL_UNICAST);
        }
        return Optional.empty();
    }

    /**
     * The IPv4 addresses an IPv6 address carries, which it stands for: IPv4-mapped, IPv4-compatible, NAT64
     * ({@code 64:ff9b::/96}; {@code 64:ff9b:1::/48} at each place RFC 6052 allows for the prefix lengths that fit in
     * it), 6to4 and Teredo (server and client). Empty for an IPv4 address and any other IPv6 address.
     */
    static List<Inet4Address> carried(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return List.of();
        }
        byte[] b = v6.getAddress();
        if (isMapped(b) || NAT64.contains(v6)) {
            return List.of(ipv4(b[12], b[13], b[14], b[15]));
        }
        if (NAT64_LOCAL.contains(v6)) {
            // RFC 6052 section 2.2: bits 64-71 are zero, the IPv4 address goes around them
            return List.of(
                    ipv4(b[6], b[7], b[9], b[10]),
                    ipv4(b[7], b[9], b[10], b[11]),
                    ipv4(b[9], b[10], b[11], b[12]),
                    ipv4(b[12], b[13], b[14], b[15]));
        }
        if (InetAddresses.isTeredoAddress(v6)) {
            InetAddresses.TeredoInfo teredo = InetAddresses.getTeredoInfo(v6);
            return List.of(teredo.getServer(), teredo.getClient());
        }
        if (InetAddresses.isCompatIPv4Address(v6)) {
            return List.of(InetAddresses.getCompatIPv4Address(v6));
        }
        if (InetAddresses.is6to4Address(v6)) {
            return List.of(InetAddresses.get6to4IPv4Address(v6));
        }
        return List.of();
    }

    /** {@code ::ffff:a.b.c.d}, which the JDK's resolver returns as an {@link Inet6Address} for a DNS answer. */
    static boolean isMapped(byte[] b) {
        if (b.length != 16 || (b[10] & 0xff) != 0xff || (b[11] & 0xff) != 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static Inet4Address ipv4(byte a, byte b, byte c, byte d) {
        return (Inet4Address) Addresses.of(new byte[] {a, b, c, d});
    }
}
