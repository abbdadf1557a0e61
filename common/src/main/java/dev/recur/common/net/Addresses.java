package dev.recur.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

import com.google.common.net.InetAddresses;

/** Addresses from bytes, without a host name, so that nothing ever looks one up again. */
final class Addresses {

    private Addresses() {}

    /** An address of 4 or 16 bytes; an IPv4-mapped one becomes its IPv4 address, as the JDK does. */
    static InetAddress of(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    /** The usual text form of the address in {@code bytes} ({@code 10.0.0.0}, {@code fc00::}). */
    static String text(byte[] bytes) {
        return InetAddresses.toAddrString(of(bytes));
    }
}
