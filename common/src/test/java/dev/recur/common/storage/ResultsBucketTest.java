package dev.recur.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class ResultsBucketTest {

    private final ResultsBucket bucket = new ResultsBucket("recur-results");

    @Test
    void shouldLayOutClaimChecksAndDocumentsByJobId() {
        assertThat(ResultsBucket.claimKey(42)).isEqualTo("claims/42.json");
        assertThat(ResultsBucket.resultsKey(42)).isEqualTo("results/42.json");
    }

    @Test
    void shouldListPacksOldestFirstWhenKeysAreSortedAsText() {
        String early = ResultsBucket.packKey(Instant.parse("2001-09-09T01:46:39Z"), 5);
        String late = ResultsBucket.packKey(Instant.parse("2001-09-09T01:46:40Z"), 1);

        // 999,999,999,000 ms and 1,000,000,000,000 ms: the zero padding keeps text order and time order the same
        assertThat(early).startsWith("results/packs/0999999999000-5-").endsWith(".ndjson");
        assertThat(early.compareTo(late)).isNegative();
        assertThat(ResultsBucket.packWrittenAt(late)).isEqualTo(Instant.parse("2001-09-09T01:46:40Z"));
        assertThat(ResultsBucket.packWrittenAt("results/123.json")).isNull();
        assertThat(ResultsBucket.packWrittenAt("results/packs/notatime-1.ndjson"))
                .isNull();
    }

    @Test
    void shouldReadClaimChecksOnlyFromItsClaimsPrefix() {
        assertThat(bucket.holdsClaim("recur-results", ResultsBucket.claimKey(7)))
                .isTrue();
        assertThat(bucket.holdsClaim("other", ResultsBucket.claimKey(7))).isFalse();
        assertThat(bucket.holdsClaim("recur-results", "results/7.json")).isFalse();
        assertThat(bucket.holdsClaim("recur-results", "claims/../results/7.json"))
                .isFalse();
        assertThat(bucket.holdsClaim("recur-results", "claims/a..b")).isFalse();
        assertThat(bucket.holdsClaim("recur-results", null)).isFalse();
    }

    @Test
    void shouldReadResultsOnlyFromItsDocumentsAndPacks() {
        assertThat(bucket.holdsResults("recur-results", ResultsBucket.resultsKey(7)))
                .isTrue();
        assertThat(bucket.holdsResults("recur-results", ResultsBucket.packKey(Instant.EPOCH, 7)))
                .isTrue();
        assertThat(bucket.holdsResults("tenant", ResultsBucket.resultsKey(7))).isFalse();
        assertThat(bucket.holdsResults("recur-results", ResultsBucket.claimKey(7)))
                .isFalse();
        assertThat(bucket.holdsResults("recur-results", "results/../other/7.json"))
                .isFalse();
        assertThat(bucket.holdsResults("recur-results", "results/other-7.json")).isFalse();
        assertThat(bucket.holdsResults("recur-results", null)).isFalse();
    }

    @Test
    void shouldRefuseARangedReadThatAnsweredAnotherLength() {
        assertThat(ResultsBucket.httpRange(1462, 731)).isEqualTo("bytes=1462-2192");
        ResultsBucket.checkRangeLength("recur-results", "results/packs/x.ndjson", 731, 731);
        assertThatThrownBy(() -> ResultsBucket.checkRangeLength("recur-results", "results/packs/x.ndjson", 731, 4096))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("s3://recur-results/results/packs/x.ndjson answered 4096 bytes for a range of 731");
    }

    @Test
    void shouldDigestWholeAndPartialContentAlike() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        String expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

        assertThat(ResultsBucket.sha256(abc)).isEqualTo(expected);
        assertThat(ResultsBucket.sha256("xabcx".getBytes(StandardCharsets.US_ASCII), 1, 3))
                .isEqualTo(expected);
        var digest = ResultsBucket.newSha256();
        digest.update(abc, 0, 1);
        digest.update(abc, 1, 2);
        assertThat(ResultsBucket.hex(digest)).isEqualTo(expected);
    }
}
