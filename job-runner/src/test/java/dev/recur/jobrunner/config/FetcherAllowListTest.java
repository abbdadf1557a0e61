package dev.recur.jobrunner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** The allow-list is parsed when the configuration loads, which is at the service's start. */
class FetcherAllowListTest {

    private static final String ALLOW = "recur.job-runner.fetcher.allow";

    private static SmallRyeConfig load(String allow) {
        return new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withMapping(JobRunnerConfig.class)
                .withSources(new PropertiesConfigSource(Map.of(ALLOW, allow), "test", 500))
                .build();
    }

    @Test
    void shouldFailToLoadNamingPropertyAndEntryWhenAnEntryIsNotANetwork() {
        assertThatThrownBy(() -> load("127.0.0.1/32,10.0.0.0/-1"))
                .hasMessageContaining(ALLOW)
                .hasMessageContaining("'10.0.0.0/-1' is not a network");
        assertThatThrownBy(() -> load("10.1")).hasMessageContaining(ALLOW).hasMessageContaining("'10.1'");
    }

    @Test
    void shouldLoadEveryEntryWhenAllAreNetworksAddressesOrNames() {
        var allow = load("127.0.0.1/32,::1,intranet.example")
                .getConfigMapping(JobRunnerConfig.class)
                .fetcher()
                .allow();

        assertThat(allow)
                .hasValueSatisfying(entries -> assertThat(entries)
                        .hasSize(3)
                        .extracting(Object::toString)
                        .containsExactly("127.0.0.1/32", "::1/128", "intranet.example"));
    }
}
