package dev.recur.common.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.recur.common.event.SigningSecret;
import org.junit.jupiter.api.Test;

/** The receiver's side of {@code X-Recur-Signature}: what verifies and what must not. */
class CallbackSignatureTest {

    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
    private static final byte[] BODY = "{\"job_id\":\"42\",\"schedule_id\":\"7\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldVerifyWhenReceiverHasTheSecretAndTheBodyAsSent() {
        String header =
                CallbackSignature.header(NOW.getEpochSecond(), BODY, List.of(CallbackSignature.signer("whsec_alice")));

        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        assertThat(CallbackSignature.verify(
                        header, BODY, "whsec_alice", NOW.plusSeconds(3), CallbackSignature.TOLERANCE))
                .isTrue();
    }

    @Test
    void shouldMatchAnHmacComputedIndependentlyOverTimestampDotBody() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("k".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = java.util.HexFormat.of()
                .formatHex(mac.doFinal(
                        ("1700000000." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

        assertThat(CallbackSignature.header(1700000000L, BODY, List.of(CallbackSignature.signer("k"))))
                .isEqualTo("t=1700000000,v1=" + expected);
    }

    @Test
    void shouldFailWhenBodyChanged() {
        String header =
                CallbackSignature.header(NOW.getEpochSecond(), BODY, List.of(CallbackSignature.signer("whsec_alice")));
        byte[] changed = "{\"job_id\":\"43\",\"schedule_id\":\"7\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(CallbackSignature.verify(header, changed, "whsec_alice", NOW, CallbackSignature.TOLERANCE))
                .isFalse();
    }

    @Test
    void shouldFailWhenTimestampIsOlderThanTheTolerance() {
        String header = CallbackSignature.header(
                NOW.minus(Duration.ofMinutes(5)).minusSeconds(1).getEpochSecond(),
                BODY,
                List.of(CallbackSignature.signer("whsec_alice")));

        assertThat(CallbackSignature.verify(header, BODY, "whsec_alice", NOW, CallbackSignature.TOLERANCE))
                .isFalse();
        assertThat(CallbackSignature.verify(
                        header, BODY, "whsec_alice", NOW.minusSeconds(1), CallbackSignature.TOLERANCE))
                .as("exactly 5 minutes old")
                .isTrue();
    }

    @Test
    void shouldFailWhenTimestampWasMovedWithTheSameSignature() {
        String header = CallbackSignature.header(
                NOW.minusSeconds(600).getEpochSecond(), BODY, List.of(CallbackSignature.signer("whsec_alice")));
        String replayed = header.replaceFirst("t=\\d+", "t=" + NOW.getEpochSecond());

        assertThat(CallbackSignature.verify(replayed, BODY, "whsec_alice", NOW, CallbackSignature.TOLERANCE))
                .isFalse();
    }

    @Test
    void shouldFailWhenSignedWithAnotherTenantsSecret() {
        String header =
                CallbackSignature.header(NOW.getEpochSecond(), BODY, List.of(CallbackSignature.signer("whsec_bob")));

        assertThat(CallbackSignature.verify(header, BODY, "whsec_alice", NOW, CallbackSignature.TOLERANCE))
                .isFalse();
    }

    @Test
    void shouldFailWhenHeaderIsMissingOrMalformed() {
        for (String header : new String[] {null, "", "sha256=00", "t=abc,v1=00", "v1=00", "t=1700000000"}) {
            assertThat(CallbackSignature.verify(header, BODY, "whsec_alice", NOW, CallbackSignature.TOLERANCE))
                    .as(String.valueOf(header))
                    .isFalse();
        }
    }

    @Test
    void shouldVerifyWithEitherSecretDuringARotationWindowAndOnlyTheNewOneAfterIt() {
        SigningKeyring keyring = new SigningKeyring();
        Instant windowEnd = NOW.plus(Duration.ofHours(24));
        keyring.apply("alice", SigningSecret.of("alice", "ss_1", "whsec_old", NOW.minusSeconds(3600), null));
        keyring.apply("alice", SigningSecret.of("alice", "ss_2", "whsec_new", NOW, windowEnd));

        Instant during = windowEnd.minusSeconds(1);
        String signedDuring = CallbackSignature.header(during.getEpochSecond(), BODY, keyring.signers("alice", during));
        assertThat(keyring.secretIds("alice", during)).containsExactly("ss_2", "ss_1");
        assertThat(signedDuring).matches("t=\\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
        assertThat(CallbackSignature.verify(signedDuring, BODY, "whsec_old", during, CallbackSignature.TOLERANCE))
                .isTrue();
        assertThat(CallbackSignature.verify(signedDuring, BODY, "whsec_new", during, CallbackSignature.TOLERANCE))
                .isTrue();

        String signedAfter =
                CallbackSignature.header(windowEnd.getEpochSecond(), BODY, keyring.signers("alice", windowEnd));
        assertThat(keyring.secretIds("alice", windowEnd)).containsExactly("ss_2");
        assertThat(CallbackSignature.verify(signedAfter, BODY, "whsec_old", windowEnd, CallbackSignature.TOLERANCE))
                .isFalse();
        assertThat(CallbackSignature.verify(signedAfter, BODY, "whsec_new", windowEnd, CallbackSignature.TOLERANCE))
                .isTrue();
    }
}
