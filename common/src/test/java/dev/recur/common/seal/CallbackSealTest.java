package dev.recur.common.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackSealTest {

    private static final String KEY_1 = key(1);
    private static final String KEY_2 = key(2);
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

    private static String key(int fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) fill);
        return Base64.getEncoder().encodeToString(key);
    }

    private static JobResult result(long jobId, String callbackUrl) {
        ObjectNode item =
                JsonNodeFactory.instance.objectNode().put("source", "universal").put("url", "https://example.com/p");
        if (callbackUrl != null) {
            item.put("callback_url", callbackUrl);
        }
        return JobResult.of(
                jobId,
                1,
                2,
                "alice",
                AT,
                0,
                item,
                200,
                JobStatus.DONE,
                null,
                "http_fetcher",
                1,
                AT,
                AT,
                List.of(),
                null);
    }

    @Test
    void shouldPublishTheRedactedUrlAndGiveTheWholeOneBackOnlyWhenOpened() {
        CallbackSeal seal = CallbackSeal.parse("k1:" + KEY_1);
        String url = "https://user:pw@hooks.example.com:8443/recur/hook?token=s3cr3t&x=1#frag";
        JobResult original = result(42, url);

        JobResult sealed = seal.seal(original);
        String published = new String(EventJson.write(sealed), StandardCharsets.UTF_8);

        assertThat(published).doesNotContain("s3cr3t").doesNotContain("pw@");
        assertThat(sealed.item().toString()).doesNotContain("frag").doesNotContain("token");
        assertThat(sealed.item().get("callback_url").asText()).isEqualTo("https://hooks.example.com:8443/recur/hook?…");
        assertThat(sealed.item().get("url").asText()).isEqualTo("https://example.com/p");
        assertThat(sealed.sealedCallbackUrl()).startsWith("k1.");
        assertThat(original.item().get("callback_url").asText())
                .as("the original is not changed")
                .isEqualTo(url);
        JobResult read = EventJson.read(EventJson.write(sealed), JobResult.class);
        JobResult opened = seal.open(read);
        assertThat(opened.item().get("callback_url").asText()).isEqualTo(url);
        assertThat(opened.sealedCallbackUrl()).isNull();
        // two seals of the same URL differ (random nonce): equal URLs cannot be told apart on the topic
        assertThat(seal.seal(original).sealedCallbackUrl()).isNotEqualTo(sealed.sealedCallbackUrl());
    }

    @Test
    void shouldLeaveAResultWithoutSecretPartsAsItIs() {
        CallbackSeal seal = CallbackSeal.parse("k1:" + KEY_1);
        JobResult plain = result(42, "https://hooks.example.com/recur/hook");
        JobResult none = result(43, null);

        assertThat(seal.seal(plain)).isSameAs(plain);
        assertThat(seal.seal(none)).isSameAs(none);
        assertThat(seal.open(plain)).isSameAs(plain);
    }

    @Test
    void shouldOpenWithAnOlderKeyAfterARotationAndRefuseAKeyNoLongerHeld() {
        CallbackSeal before = CallbackSeal.parse("k1:" + KEY_1);
        CallbackSeal during = CallbackSeal.parse("k2:" + KEY_2 + ", k1:" + KEY_1);
        CallbackSeal after = CallbackSeal.parse("k2:" + KEY_2);
        JobResult old = before.seal(result(42, "https://h.example.com/x?token=a"));

        assertThat(during.currentKeyId()).isEqualTo("k2");
        assertThat(during.open(old).item().get("callback_url").asText()).isEqualTo("https://h.example.com/x?token=a");
        assertThat(during.seal(result(42, "https://h.example.com/x?token=a")).sealedCallbackUrl())
                .startsWith("k2.");
        assertThatThrownBy(() -> after.open(old))
                .isInstanceOf(CallbackSeal.UnopenableException.class)
                .hasMessageContaining("key 'k1'");
    }

    @Test
    void shouldRefuseASealedUrlMovedToAnotherJobOrTamperedWith() {
        CallbackSeal seal = CallbackSeal.parse("k1:" + KEY_1);
        JobResult sealed = seal.seal(result(42, "https://h.example.com/x?token=a"));
        JobResult moved =
                result(43, "https://h.example.com/x?…").withCallback(sealed.item(), sealed.sealedCallbackUrl());
        String value = sealed.sealedCallbackUrl();
        char last = value.charAt(value.length() - 2);
        JobResult tampered = sealed.withCallback(
                sealed.item(),
                value.substring(0, value.length() - 2) + (last == 'A' ? 'B' : 'A') + value.charAt(value.length() - 1));

        assertThatThrownBy(() -> seal.open(moved))
                .isInstanceOf(CallbackSeal.UnopenableException.class)
                .hasMessageContaining("job 43");
        assertThatThrownBy(() -> seal.open(tampered)).isInstanceOf(CallbackSeal.UnopenableException.class);
        assertThatThrownBy(() -> seal.open(sealed.withCallback(sealed.item(), "k1.!!")))
                .isInstanceOf(CallbackSeal.UnopenableException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "k1",
                "k1:not base64!",
                "k1:" + "AAAA",
                "bad id:AAAAAAAAAAAAAAAAAAAAAA==",
                "k1:AAAAAAAAAAAAAAAAAAAAAA==,k1:AAAAAAAAAAAAAAAAAAAAAA=="
            })
    void shouldRefuseAMalformedSettingNamingItButNoKey(String setting) {
        assertThatThrownBy(() -> CallbackSeal.parse(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CallbackSeal.SETTING)
                .hasMessageNotContaining("AAAA");
        assertThatThrownBy(() -> CallbackSeal.parse(null)).hasMessageContaining("RECUR_CALLBACK_SEAL_SECRETS");
    }

    @Test
    void shouldNotShowItsKeysWhenPrinted() {
        assertThat(CallbackSeal.parse("k1:" + KEY_1).toString())
                .doesNotContain(KEY_1)
                .contains("k1");
    }
}
