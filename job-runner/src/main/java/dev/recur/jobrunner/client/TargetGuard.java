package dev.recur.jobrunner.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps the built-in fetcher away from the deployment's own network (SSRF): a user could schedule
 * {@code http://169.254.169.254/...} and read the cloud metadata from the results. Judges the resolved
 * addresses, which the fetcher then connects to, so that DNS cannot answer differently the second time.
 */
public final class TargetGuard {

    private final List<Cidr> allowedBlocks = new ArrayList<>();
    private final List<String> allowedHosts = new ArrayList<>();

    /** @param allow CIDR blocks ({@code 127.0.0.0/8}), single addresses or host names allowed despite their range */
    public TargetGuard(List<String> allow) {
        for (String entry : allow) {
            String value = entry.trim();
            if (value.isEmpty()) {
                continue;
            }
            if (value.contains("/") || looksLikeAddress(value)) {
                allowedBlocks.add(Cidr.parse(value));
            } else {
                allowedHosts.add(value.toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Why {@code host}, resolved to {@code addresses}, must not be fetched; empty when it may. */
    public Optional<String> refusal(String host, List<InetAddress> addresses) {
        if (allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> range = restrictedRange(address);
            if (range.isPresent() && allowedBlocks.stream().noneMatch(block -> block.contains(address))) {
                return Optional.of("refused target " + host + ": it resolves to " + address.getHostAddress() + ", a "
                        + range.get() + " address (allow it in recur.job-runner.fetcher.allow)");
            }
        }
        return Optional.empty();
    }

    static Optional<String> restrictedRange(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) {
            return Optional.of("unique-local");
        }
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 0) {
                return Optional.of("unspecified");
            }
            if (first == 100 && second >= 64 && second < 128) {
                return Optional.of("private (carrier-grade NAT)");
            }
            if (first >= 240) {
                return Optional.of("reserved");
            }
        }
        return Optional.empty();
    }

    private static boolean looksLikeAddress(String value) {
        return value.contains(":") || value.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String[] parts = text.split("/", 2);
            try {
                // a literal, so no lookup happens
                byte[] network = InetAddress.getByName(parts[0]).getAddress();
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + text);
                }
                return new Cidr(network, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR block: " + text, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }
}
