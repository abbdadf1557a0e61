package dev.recur.common.net;

import java.net.InetAddress;
import java.util.Arrays;

import com.google.common.net.InetAddresses;

/**
 * A network of either family, such as {@code 10.0.0.0/8} or {@code fc00::/7}; a single address is a network of
 * one. Parsed strictly, because an allow-list entry that parses loosely can open far more than it says: the
 * address is an IP literal in its usual form (no short {@code 10.1}, no leading zeros, no scope), the prefix a
 * length within the family, and no bits are set after the prefix.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Cidr parse(String text) {
        String value = text.strip();
        int slash = value.indexOf('/');
        String literal = slash < 0 ? value : value.substring(0, slash);
        if (literal.indexOf('%') >= 0 || !InetAddresses.isInetAddress(literal)) {
            throw new IllegalArgumentException("'" + text + "' is not a network: " + literal
                    + " is not an IP address in its usual form (four decimal parts, or IPv6 hex groups)");
        }
        byte[] address = InetAddresses.forString(literal).getAddress();
        if (address.length == 4 && literal.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped IPv6 network: write its IPv4 form"
                    + " (such addresses are judged as the IPv4 address they carry)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = value.substring(slash + 1);
            if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "' is not a network: the prefix length '" + length
                        + "' is not a number from 0 to " + bits);
            }
            prefix = Integer.parseInt(length);
            if (prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' is not a network: the prefix length " + prefix
                        + " is more than the " + bits + " bits of the address");
            }
        }
        Cidr cidr = new Cidr(masked(address, prefix), prefix);
        if (!Arrays.equals(cidr.network, address)) {
            throw new IllegalArgumentException("'" + text + "' has bits set after its prefix: the network is " + cidr);
        }
        return cidr;
    }

    /** Whether {@code address}, as it is (no family conversion), lies in this network. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && Arrays.equals(masked(bytes, prefixLength), network);
    }

    public int prefixLength() {
        return prefixLength;
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] result = address.clone();
        for (int i = 0; i < result.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            result[i] &= (byte) (0xff00 >> keep);
        }
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return Addresses.text(network) + "/" + prefixLength;
    }
}
