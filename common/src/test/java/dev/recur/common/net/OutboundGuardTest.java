package dev.recur.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every address form through the resolver path: each row is a host name whose DNS answer is the address, given to
 * the guard as the JDK's resolver gives it (an AAAA answer is an {@link Inet6Address}, also when it is IPv4-mapped;
 * the JDK converts only literals).
 */
class OutboundGuardTest {

    private static final String SETTING = "recur.test.allow";

    /** Addresses the guard must refuse when nothing is allowed, each with what it is. */
    static Stream<Arguments> internal() {
        return Stream.of(
                row("127.0.0.1", "loopback"),
                row("127.255.255.254", "loopback, end of 127/8"),
                row("10.0.0.1", "private"),
                row("172.16.0.1", "private"),
                row("172.31.255.255", "private, end of 172.16/12"),
                row("192.168.1.1", "private"),
                row("169.254.169.254", "cloud metadata"),
                row("100.64.0.1", "carrier-grade NAT"),
                row("100.127.255.255", "carrier-grade NAT, end"),
                row("0.0.0.0", "unspecified"),
                row("0.1.2.3", "'this network'"),
                row("192.0.0.8", "IETF protocol assignments"),
                row("192.0.2.1", "TEST-NET-1"),
                row("192.88.99.1", "6to4 relay anycast"),
                row("198.18.0.1", "benchmarking"),
                row("198.51.100.7", "TEST-NET-2"),
                row("203.0.113.9", "TEST-NET-3"),
                row("224.0.0.1", "multicast"),
                row("239.255.255.250", "multicast, SSDP"),
                row("240.0.0.1", "reserved 240/4"),
                row("255.255.255.255", "broadcast"),
                row("::1", "IPv6 loopback"),
                row("::", "IPv6 unspecified"),
                row("fe80::1", "IPv6 link-local"),
                row("fc00::1", "unique-local"),
                row("fd12:3456::1", "unique-local"),
                row("fec0::1", "site-local"),
                row("ff02::1", "IPv6 multicast"),
                row("2001:db8::1", "IPv6 documentation"),
                row("3fff::1", "IPv6 documentation 3fff::/20"),
                row("100::1", "discard-only"),
                row("5f00::1", "SRv6 SID"),
                row("4000::1", "outside global unicast"),
                row("::ffff:127.0.0.2", "IPv4-mapped loopback"),
                row("::ffff:169.254.169.254", "IPv4-mapped metadata"),
                row("::ffff:10.0.0.1", "IPv4-mapped private"),
                row("::ffff:7f00:1", "IPv4-mapped loopback in hex"),
                row("::ffff:240.0.0.1", "IPv4-mapped reserved"),
                row("::127.0.0.2", "IPv4-compatible loopback"),
                row("::a9fe:a9fe", "IPv4-compatible metadata"),
                row("::2", "IPv4-compatible 0.0.0.2"),
                row("64:ff9b::7f00:2", "NAT64 loopback"),
                row("64:ff9b::169.254.169.254", "NAT64 metadata"),
                row("64:ff9b::10.0.0.1", "NAT64 private"),
                row("64:ff9b:1:7f00:0:200::", "local-use NAT64 /48 loopback"),
                row("64:ff9b:1::a9fe:a9fe", "local-use NAT64 /96 metadata"),
                row("2002:7f00:2::", "6to4 loopback"),
                row("2002:a9fe:a9fe::1", "6to4 metadata"),
                row("2002:c0a8:101::", "6to4 private"),
                row("2001:0:4136:e378:8000:63bf:80ff:fffd", "Teredo, client 127.0.0.2"),
                row("2001:0:a00:1::ffff:ffff", "Teredo, server 10.0.0.1"),
                row("2001:0:4136:e378:8000:63bf:5601:5601", "Teredo, client 169.254.169.254 (obfuscated)"));
    }

    /** Public addresses, in each form, that the guard lets through. */
    static Stream<Arguments> public_() {
        return Stream.of(
                row("93.184.216.34", "public IPv4"),
                row("8.8.8.8", "public IPv4"),
                row("172.32.0.1", "just above 172.16/12"),
                row("100.128.0.1", "just above 100.64/10"),
                row("192.0.3.1", "just above TEST-NET-1"),
                row("2606:4700:4700::1111", "public IPv6"),
                row("2a00:1450:4001::1", "public IPv6"),
                row("::ffff:93.184.216.34", "IPv4-mapped public"),
                row("64:ff9b::8.8.8.8", "NAT64 public (DNS64)"),
                row("2002:808:808::1", "6to4 public"),
                row("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "Teredo, public server and client"));
    }

    private static Arguments row(String address, String what) {
        return Arguments.of(address, what);
    }

    /** Answers each name as DNS would, through {@link Resolver#of}, and counts the lookups. */
    private static final class Dns implements Resolver {

        private final Map<String, List<String>> records = new HashMap<>();
        private final AtomicInteger lookups = new AtomicInteger();

        Dns answer(String name, String... addresses) {
            records.put(name, List.of(addresses));
            return this;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            lookups.incrementAndGet();
            return Resolver.of(records).resolve(host);
        }
    }

    private static OutboundGuard guard(Resolver resolver, String... allow) {
        return new OutboundGuard(
                SETTING, Arrays.stream(allow).map(AllowedTarget::of).toList(), resolver);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("internal")
    void shouldRefuseNameWhenItResolvesToAnInternalForm(String address, String what) throws Exception {
        Dns dns = new Dns().answer("target.example", address);
        InetAddress answer = dns.resolve("target.example").get(0);
        assertThat(answer)
                .as("the resolver path gives the form as it is")
                .isInstanceOf(address.contains(":") ? Inet6Address.class : Inet4Address.class);

        assertThatThrownBy(() -> guard(dns).check("target.example"))
                .isInstanceOf(RefusedTargetException.class)
                .hasMessage("refused target target.example: it is or resolves to an internal address (an operator"
                        + " can allow it in " + SETTING + ")");
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("public_")
    void shouldReturnTheAddressWhenNameResolvesToAPublicForm(String address, String what) throws Exception {
        Dns dns = new Dns().answer("site.example", address);

        InetAddress target = guard(dns).check("site.example");

        assertThat(target.getAddress())
                .isEqualTo(InetAddresses.forString(address).getAddress());
    }

    @Test
    void shouldRefuseNameWhenOneOfItsAddressesIsInternal() throws Exception {
        Dns dns = new Dns().answer("rebind.example", "93.184.216.34", "::ffff:10.0.0.1");

        assertThatThrownBy(() -> guard(dns).check("rebind.example")).isInstanceOf(RefusedTargetException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "10.0.0.1",
                "169.254.169.254",
                "2130706433",
                "127.1",
                "0",
                "[::1]",
                "::1",
                "[::ffff:127.0.0.1]",
                "[::ffff:7f00:1]",
                "[0:0:0:0:0:ffff:7f00:1]",
                "[::ffff:169.254.169.254]",
                "[::127.0.0.1]",
                "[64:ff9b::127.0.0.1]",
                "[2002:7f00:1::]",
                "[fe80::1]",
                "[fd00::1]",
                "localhost"
            })
    void shouldRefuseLiteralWhenTheJdkReadsItAsAnInternalAddress(String host) {
        assertThatThrownBy(() -> guard(Resolver.SYSTEM).check(host)).isInstanceOf(RefusedTargetException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x7f000001", "0x7f.0.0.1", "017700000001", "0177.0.0.01"})
    void shouldNotReturnAnInternalAddressWhenLiteralIsInAnOddBase(String host) {
        // the JDK reads these as names (or, with a leading zero, as decimal); whatever a resolver makes of them, the
        // guard judges the address that comes back
        InetAddress answer;
        try {
            answer = guard(Resolver.SYSTEM).check(host);
        } catch (RefusedTargetException | UnknownHostException refused) {
            return;
        }
        assertThat(SpecialRanges.of(answer)).as(host + " -> " + answer).isEmpty();
    }

    @Test
    void shouldNameTheHostButNotTheAddressWhenRefusing() throws Exception {
        Dns dns = new Dns().answer("db.internal.example", "::ffff:10.1.2.3");

        assertThatThrownBy(() -> guard(dns).check("db.internal.example"))
                .hasMessageContaining("db.internal.example")
                .hasMessageNotContainingAny("10.1.2.3", "a01:203", "private", "10.0.0.0");
    }

    @Test
    void shouldAllowTheMappedFormWhenItsIpv4AddressIsAllowed() throws Exception {
        Dns dns = new Dns()
                .answer("mapped.example", "::ffff:127.0.0.2")
                .answer("other.example", "::ffff:127.0.0.3")
                .answer("plain.example", "127.0.0.2");
        OutboundGuard guard = guard(dns, "127.0.0.2/32");

        assertThat(guard.check("mapped.example")).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(guard.check("plain.example")).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThatThrownBy(() -> guard.check("other.example")).isInstanceOf(RefusedTargetException.class);
    }

    @Test
    void shouldAllowOnlyTheListedNetworksHostsAndIpv6Prefixes() throws Exception {
        Dns dns = new Dns()
                .answer("in.example", "10.20.5.6")
                .answer("out.example", "10.21.0.1")
                .answer("intranet.example.", "192.168.0.9")
                .answer("nat64.example", "64:ff9b:1::a9fe:a9fe")
                .answer("ula.example", "fd00::5")
                .answer("metadata.example", "169.254.169.254");
        OutboundGuard guard = guard(dns, "10.20.0.0/16", " intranet.example ", "64:ff9b:1::/48", "fd00::5");

        assertThatCode(() -> guard.check("in.example")).doesNotThrowAnyException();
        assertThatCode(() -> guard.check("INTRANET.example.")).doesNotThrowAnyException();
        assertThatCode(() -> guard.check("nat64.example")).doesNotThrowAnyException();
        assertThatCode(() -> guard.check("ula.example")).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check("out.example")).isInstanceOf(RefusedTargetException.class);
        assertThatThrownBy(() -> guard.check("metadata.example")).isInstanceOf(RefusedTargetException.class);
    }

    @Test
    void shouldResolveOnceAndReturnAnAddressWithoutNameWhenChecking() throws Exception {
        Dns dns = new Dns().answer("site.example", "::ffff:93.184.216.34", "2606:4700:4700::1111");

        InetAddress target = guard(dns).check("site.example");

        assertThat(dns.lookups).hasValue(1);
        assertThat(target).isInstanceOf(Inet4Address.class);
        assertThat(target.toString()).isEqualTo("/93.184.216.34");
    }

    @Test
    void shouldFailAsUnknownWhenNameDoesNotResolve() {
        assertThatThrownBy(() -> guard(new Dns()).check("nowhere.example")).isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0/-1",
                "10.0.0.0/33",
                "10.0.0.0/",
                "10.0.0.0/8/8",
                "10.0.0.0/08x",
                "10.0.0.1/8",
                "10.1",
                "256.0.0.1",
                "010.0.0.1",
                "0x7f.1",
                "127.0.0.1.",
                "::ffff:10.0.0.0/104",
                "fe80::1%eth0",
                "::/129",
                "fc00::1/7",
                "not a host!",
                "-bad-.example",
                "*.example"
            })
    void shouldRejectAllowListEntryWhenItIsNotStrictlyANetworkAddressOrHostName(String entry) {
        assertThatThrownBy(() -> AllowedTarget.of(entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0/8",
                "127.0.0.1",
                " 127.0.0.1/32 ",
                "0.0.0.0/0",
                "::1",
                "fc00::/7",
                "::/0",
                "intranet.example",
                "localhost"
            })
    void shouldAcceptAllowListEntryWhenItIsANetworkAddressOrHostName(String entry) {
        assertThatCode(() -> AllowedTarget.of(entry)).doesNotThrowAnyException();
    }

    @Test
    void shouldMatchOnlyItsOwnFamilyAndPrefixWhenCidrContainsAnAddress() throws Exception {
        Cidr block = Cidr.parse("10.8.0.0/13");

        assertThat(block.contains(InetAddress.getByName("10.15.255.255"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("10.16.0.0"))).isFalse();
        assertThat(block.contains(
                        new Dns().answer("x", "::ffff:10.8.0.1").resolve("x").get(0)))
                .as("no family conversion")
                .isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")))
                .isTrue();
        assertThat(block).hasToString("10.8.0.0/13");
        assertThat(Cidr.parse("fc00::/7")).hasToString("fc00::/7");
    }

    @Test
    void shouldCoverAtLeastFortyAddressForms() {
        assertThat(internal().count() + public_().count()).isGreaterThanOrEqualTo(40);
    }
}
