package dev.recur.common.net;

import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the calls Recur makes to URLs that tenants choose (pages the fetcher gets, every redirect hop, callbacks)
 * out of the deployment's own networks (SSRF): {@link #check} resolves the host once, judges every address it
 * resolves to, and returns the one address to connect to, so that a second lookup cannot answer differently.
 * <p>
 * An address is refused when it lies in a special-purpose range ({@code SpecialRanges}: loopback, private,
 * link-local with the cloud metadata endpoint, shared, unique-local, multicast, reserved, documentation...) and no
 * allow-list entry contains it. An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64,
 * 6to4, Teredo) is judged as that IPv4 address, since that is where it may lead: {@code ::ffff:169.254.169.254} is
 * the metadata endpoint, and an allow-list entry {@code 127.0.0.2/32} allows {@code ::ffff:127.0.0.2} too. An
 * allow-list entry that is an IPv6 network allows the addresses inside it whatever IPv4 address they carry; one
 * that is a host name allows that name whatever it resolves to.
 */
public final class OutboundGuard {

    private static final System.Logger LOG = System.getLogger(OutboundGuard.class.getName());

    private final String setting;
    private final List<AllowedTarget> allowed;
    private final Resolver resolver;

    /**
     * @param setting the configuration property of the allow-list, named in refusals
     * @param allowed targets allowed although their address is special
     * @param resolver where host names are looked up ({@link Resolver#SYSTEM} but in tests)
     */
    public OutboundGuard(String setting, List<AllowedTarget> allowed, Resolver resolver) {
        this.setting = setting;
        this.allowed = List.copyOf(allowed);
        this.resolver = resolver;
    }

    /**
     * Resolves {@code host} (a name, an address literal, or an IPv6 literal in brackets as a URI gives it) and
     * judges every address it resolves to.
     *
     * @return the address to connect to, without a host name, so that nothing looks the name up again
     * @throws RefusedTargetException if one of the addresses may not be called; its message names {@code host} as
     *         given, and not the address
     * @throws UnknownHostException if {@code host} does not resolve
     */
    public InetAddress check(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> addresses = resolver.resolve(bare);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(bare);
        }
        if (allowed.stream().noneMatch(entry -> entry.names(bare))) {
            for (InetAddress address : addresses) {
                Optional<String> why = refusal(address);
                if (why.isPresent()) {
                    // the details go to the operator's log only: in the tenant's message they would make the guard
                    // an oracle of the deployment's internal DNS
                    LOG.log(
                            Level.DEBUG,
                            () -> "refused outbound target " + bare + ": " + address.getHostAddress() + " "
                                    + why.get());
                    throw new RefusedTargetException("refused target " + host + ": it is or resolves to an internal"
                            + " address (an operator can allow it in " + setting + ")");
                }
            }
        }
        return Addresses.of(addresses.get(0).getAddress());
    }

    /** Why {@code address} may not be called, for the operator's log; empty when it may. */
    Optional<String> refusal(InetAddress address) {
        if (allowed.stream().anyMatch(entry -> entry.contains(address))) {
            return Optional.empty();
        }
        List<Inet4Address> carried = SpecialRanges.carried(address);
        for (InetAddress judged : carried.isEmpty() ? List.of(address) : carried) {
            Optional<String> range = SpecialRanges.of(judged);
            if (range.isPresent() && allowed.stream().noneMatch(entry -> entry.contains(judged))) {
                return Optional.of(
                        carried.isEmpty()
                                ? "is " + range.get()
                                : "carries " + judged.getHostAddress() + ", " + range.get());
            }
        }
        return Optional.empty();
    }
}
