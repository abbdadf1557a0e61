package dev.recur.common.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import dev.recur.common.event.SigningSecret;
import org.junit.jupiter.api.Test;

class SigningKeyringTest {

    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

    @Test
    void shouldHaveNoSignersWhenOwnerHasNoSecret() {
        SigningKeyring keyring = new SigningKeyring();
        keyring.apply("alice", SigningSecret.of("alice", "ss_1", "whsec_a", T0, null));

        assertThat(keyring.signers("bob", T0)).isEmpty();
        assertThat(keyring.secretIds("alice", T0)).containsExactly("ss_1");
    }

    @Test
    void shouldDropThePreviousSecretAtOnceWhenRotationHasNoWindow() {
        SigningKeyring keyring = new SigningKeyring();
        keyring.apply("alice", SigningSecret.of("alice", "ss_1", "whsec_a", T0, null));
        keyring.apply("alice", SigningSecret.of("alice", "ss_2", "whsec_b", T0.plusSeconds(60), null));

        assertThat(keyring.secretIds("alice", T0.plusSeconds(60))).containsExactly("ss_2");
    }

    @Test
    void shouldKeepOnlyTheReplacedSecretWhenRotatedTwiceWithinAWindow() {
        SigningKeyring keyring = new SigningKeyring();
        keyring.apply("alice", SigningSecret.of("alice", "ss_1", "whsec_a", T0, null));
        keyring.apply("alice", SigningSecret.of("alice", "ss_2", "whsec_b", T0, T0.plusSeconds(3600)));
        keyring.apply("alice", SigningSecret.of("alice", "ss_3", "whsec_c", T0, T0.plusSeconds(3600)));

        assertThat(keyring.secretIds("alice", T0.plusSeconds(10))).containsExactly("ss_3", "ss_2");
    }

    @Test
    void shouldChangeNothingWhenTheSameRecordArrivesAgain() {
        SigningKeyring keyring = new SigningKeyring();
        SigningSecret first = SigningSecret.of("alice", "ss_1", "whsec_a", T0, null);
        SigningSecret second = SigningSecret.of("alice", "ss_2", "whsec_b", T0, T0.plusSeconds(3600));
        keyring.apply("alice", first);
        keyring.apply("alice", second);
        keyring.apply("alice", second);

        assertThat(keyring.secretIds("alice", T0.plusSeconds(10))).containsExactly("ss_2", "ss_1");
    }

    @Test
    void shouldFallBackToNoSecretWhenTombstoned() {
        SigningKeyring keyring = new SigningKeyring();
        keyring.apply("alice", SigningSecret.of("alice", "ss_1", "whsec_a", T0, null));
        keyring.apply("alice", null);

        assertThat(keyring.signers("alice", T0)).isEmpty();
    }

    @Test
    void shouldNotShowTheSecretWhenPrinted() {
        assertThat(SigningSecret.of("alice", "ss_1", "whsec_hidden", T0, null).toString())
                .doesNotContain("hidden");
    }
}
