package dev.recur.jobrunner.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetGuardTest {

    private static List<InetAddress> at(String literal) throws UnknownHostException {
        return List.of(InetAddress.getByName(literal));
    }

    @Test
    void shouldRefuseEveryRestrictedRangeWhenNothingIsAllowed() throws UnknownHostException {
        TargetGuard guard = new TargetGuard(List.of());

        assertThat(guard.refusal("h", at("127.0.0.1"))).get().asString().contains("loopback");
        assertThat(guard.refusal("h", at("::1"))).get().asString().contains("loopback");
        assertThat(guard.refusal("h", at("10.1.2.3"))).get().asString().contains("private");
        assertThat(guard.refusal("h", at("172.16.0.1"))).get().asString().contains("private");
        assertThat(guard.refusal("h", at("192.168.1.1"))).get().asString().contains("private");
        assertThat(guard.refusal("h", at("169.254.169.254"))).get().asString().contains("link-local");
        assertThat(guard.refusal("h", at("fe80::1"))).get().asString().contains("link-local");
        assertThat(guard.refusal("h", at("fd00::1"))).get().asString().contains("unique-local");
        assertThat(guard.refusal("h", at("0.0.0.0"))).get().asString().contains("unspecified");
        assertThat(guard.refusal("h", at("224.0.0.1"))).get().asString().contains("multicast");
        assertThat(guard.refusal("h", at("::ffff:10.0.0.1"))).get().asString().contains("private");
        assertThat(guard.refusal("h", at("100.64.0.1"))).isPresent();
    }

    @Test
    void shouldAllowPublicAddressesWhenNothingIsAllowed() throws UnknownHostException {
        TargetGuard guard = new TargetGuard(List.of());

        assertThat(guard.refusal("h", at("93.184.216.34"))).isEmpty();
        assertThat(guard.refusal("h", at("2606:4700::6810:85e5"))).isEmpty();
    }

    @Test
    void shouldAllowRestrictedAddressWhenItsBlockOrHostIsAllowlisted() throws UnknownHostException {
        TargetGuard guard = new TargetGuard(List.of("10.20.0.0/16", "127.0.0.1", "intranet.example"));

        assertThat(guard.refusal("h", at("10.20.5.6"))).isEmpty();
        assertThat(guard.refusal("h", at("10.21.0.1"))).isPresent();
        assertThat(guard.refusal("h", at("127.0.0.1"))).isEmpty();
        assertThat(guard.refusal("h", at("127.0.0.2"))).isPresent();
        assertThat(guard.refusal("intranet.example", at("192.168.0.9"))).isEmpty();
    }

    @Test
    void shouldRefuseWhenAnyResolvedAddressIsRestricted() throws UnknownHostException {
        TargetGuard guard = new TargetGuard(List.of());

        var mixed = List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.1"));

        assertThat(guard.refusal("rebind.example", mixed)).isPresent();
    }
}
