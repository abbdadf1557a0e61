package dev.recur.delivery.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressGuardTest {

    private final AddressGuard strict = new AddressGuard(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "fc00::abcd", "::",
            "::ffff:127.0.0.1", "224.0.0.1"})
    void shouldRefuseWhenAddressIsInternal(String address) {
        assertThatThrownBy(() -> strict.check(address)).isInstanceOf(AddressGuard.RefusedTargetException.class)
                .hasMessageContaining("internal address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"})
    void shouldAllowWhenAddressIsPublic(String address) {
        assertThatCode(() -> strict.check(address)).doesNotThrowAnyException();
    }

    @Test
    void shouldAllowOnlyTheAllowedNetworkWhenOneIsConfigured() throws Exception {
        AddressGuard guard = new AddressGuard(List.of("127.0.0.1/32", "10.8.0.0/16"));
        assertThat(guard.check("127.0.0.1")).hasSize(1);
        assertThat(guard.check("10.8.200.1")).hasSize(1);
        assertThatThrownBy(() -> guard.check("127.0.0.2")).isInstanceOf(AddressGuard.RefusedTargetException.class);
        assertThatThrownBy(() -> guard.check("10.9.0.1")).isInstanceOf(AddressGuard.RefusedTargetException.class);
        assertThatThrownBy(() -> guard.check("169.254.169.254"))
                .isInstanceOf(AddressGuard.RefusedTargetException.class);
    }

    @Test
    void shouldRefuseWhenHostNameResolvesToLoopback() {
        assertThatThrownBy(() -> strict.check("localhost")).isInstanceOf(AddressGuard.RefusedTargetException.class);
    }
}
