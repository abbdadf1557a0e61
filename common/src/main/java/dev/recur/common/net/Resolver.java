package dev.recur.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.common.net.InetAddresses;

/** Turns a host name or an address literal into the addresses to connect to; blocks while it looks a name up. */
@FunctionalInterface
public interface Resolver {

    /** The JDK's resolver: the system's (hosts file, DNS), or the file {@code -Djdk.net.hosts.file} names. */
    Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @return at least one address
     * @throws UnknownHostException if {@code host} does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * A fixed table of names and their address literals, answered as the JDK answers a name from DNS or the system's
     * hosts file: an IPv6 answer stays an {@link Inet6Address}, an IPv4-mapped one included (the JDK turns only
     * literals into {@link Inet4Address}). Names not in the table are unknown.
     */
    static Resolver of(Map<String, List<String>> records) {
        return host -> {
            List<String> answers = records.get(host.toLowerCase(Locale.ROOT));
            if (answers == null || answers.isEmpty()) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> addresses = new ArrayList<>(answers.size());
            for (String answer : answers) {
                byte[] bytes = InetAddresses.forString(answer).getAddress();
                if (bytes.length == 4 && answer.indexOf(':') >= 0) {
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xff;
                    mapped[11] = (byte) 0xff;
                    System.arraycopy(bytes, 0, mapped, 12, 4);
                    addresses.add(Inet6Address.getByAddress(host, mapped, -1));
                } else {
                    addresses.add(InetAddress.getByAddress(host, bytes));
                }
            }
            return addresses;
        };
    }
}
