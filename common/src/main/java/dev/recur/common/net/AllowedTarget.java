package dev.recur.common.net;

import java.net.InetAddress;
import java.util.Locale;

import com.google.common.net.InternetDomainName;

/**
 * One entry of an outbound allow-list: a network ({@code 10.20.0.0/16}), a single address ({@code 127.0.0.1}) or a
 * host name ({@code intranet.example}), parsed when the configuration loads, so that a bad entry stops the service
 * at its start instead of quietly allowing more (or less) than it says.
 */
public final class AllowedTarget {

    private final Cidr network;
    private final String hostName;

    private AllowedTarget(Cidr network, String hostName) {
        this.network = network;
        this.hostName = hostName;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static AllowedTarget of(String text) {
        String value = text.strip();
        boolean dotsAndDigits = value.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (value.contains("/") || value.contains(":") || dotsAndDigits) {
            return new AllowedTarget(Cidr.parse(value), null);
        }
        String name = hostName(value);
        if (!InternetDomainName.isValid(name)) {
            throw new IllegalArgumentException(
                    "'" + text + "' is neither a network (10.0.0.0/8), an IP address nor" + " a host name");
        }
        return new AllowedTarget(null, name);
    }

    /** Whether the entry names {@code host}: then whatever it resolves to may be called. */
    boolean names(String host) {
        return hostName != null && hostName.equals(hostName(host));
    }

    boolean contains(InetAddress address) {
        return network != null && network.contains(address);
    }

    /** Lower case, without the trailing dot of a fully qualified name. */
    static String hostName(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * The configuration's converter, registered in {@code META-INF/services}: with it a bad entry stops the service
     * with the reason (SmallRye's implicit converter, {@link #of}, would report only that the conversion failed).
     */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<AllowedTarget> {

        private static final long serialVersionUID = 1L;

        @Override
        public AllowedTarget convert(String value) {
            return of(value);
        }
    }

    @Override
    public String toString() {
        return network != null ? network.toString() : hostName;
    }
}
