package dev.recur.delivery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** The allow-list is parsed when the configuration loads, which is at the service's start. */
class CallbackAllowListTest {

    private static final String ALLOW = "recur.delivery.callback.allowed-networks";

    private static SmallRyeConfig load(String allow) {
        return new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withMapping(DeliveryConfig.class)
                .withSources(new PropertiesConfigSource(Map.of(ALLOW, allow), "test", 500))
                .build();
    }

    @Test
    void shouldFailToLoadNamingPropertyAndEntryWhenAnEntryIsNotANetwork() {
        // AddressGuard read "/-1" as "no bits to compare": the typo allowed every address
        assertThatThrownBy(() -> load("10.0.0.0/-1"))
                .hasMessageContaining(ALLOW)
                .hasMessageContaining("'10.0.0.0/-1' is not a network");
        assertThatThrownBy(() -> load("10.0.0.1/8"))
                .hasMessageContaining(ALLOW)
                .hasMessageContaining("the network is 10.0.0.0/8");
    }

    @Test
    void shouldLoadEveryEntryWhenAllAreNetworksAddressesOrNames() {
        var allow = load("127.0.0.1/32, fd00::/8")
                .getConfigMapping(DeliveryConfig.class)
                .callback()
                .allowedNetworks();

        assertThat(allow)
                .hasValueSatisfying(entries ->
                        assertThat(entries).extracting(Object::toString).containsExactly("127.0.0.1/32", "fd00::/8"));
    }
}
