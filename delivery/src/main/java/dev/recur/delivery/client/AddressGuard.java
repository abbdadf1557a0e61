package dev.recur.delivery.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Refuses callback targets inside the deployment's own networks (SSRF): loopback, private (RFC 1918),
 * carrier-grade NAT, link-local (169.254.0.0/16 with the cloud metadata endpoint, fe80::/10),
 * unique-local (fc00::/7), wildcard and multicast addresses, unless an allowed network contains them.
 * Every address the host resolves to is checked, so a name with one public and one private address
 * is refused.
 */
public final class AddressGuard {

    private final List<Cidr> allowed;

    public AddressGuard(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Cidr::parse).toList();
    }

    /**
     * The addresses of {@code host} if all of them may be called.
     *
     * @throws RefusedTargetException if one of them is internal and not allowed
     * @throws UnknownHostException if the host does not resolve
     */
    public InetAddress[] check(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress address : addresses) {
            if (isInternal(address) && allowed.stream().noneMatch(c -> c.contains(address))) {
                throw new RefusedTargetException("callback target " + host + " resolves to the internal address "
                        + address.getHostAddress() + ", which is not in recur.delivery.callback.allowed-networks");
            }
        }
        return addresses;
    }

    static boolean isInternal(InetAddress address) {
        byte[] b = address.getAddress();
        boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        boolean carrierNat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        boolean thisNetwork = b.length == 4 && b[0] == 0;
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocal || carrierNat
                || thisNetwork;
    }

    /** Thrown when a callback target is internal: retrying cannot help. */
    public static final class RefusedTargetException extends RuntimeException {

        RefusedTargetException(String message) {
            super(message);
        }
    }

    record Cidr(byte[] network, int prefixBits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] network = InetAddress.getByName(slash < 0 ? text : text.substring(0, slash)).getAddress();
                int bits = slash < 0 ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
                return new Cidr(network, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a network address or CIDR: " + text, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefixBits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
