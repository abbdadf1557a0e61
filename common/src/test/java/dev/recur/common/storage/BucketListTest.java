package dev.recur.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BucketListTest {

    private static final BucketPolicy DEPLOYMENT = new BucketPolicy(Set.of("recur-results"), List.of());

    private static StorageTarget s3(String url) {
        return StorageTarget.parse(StorageTarget.Type.S3, url);
    }

    private static StorageTarget gcs(String url) {
        return StorageTarget.parse(StorageTarget.Type.GCS, url);
    }

    @Test
    void shouldAllowOnlyTheBucketsOfItsEntriesOfTheTargetsType() {
        BucketList list = BucketList.parse(List.of("s3://acme-results", " s3://acme-* ", "gs://acme_archive/"));

        assertThat(list.entries()).containsExactly("s3://acme-results", "s3://acme-*", "gs://acme_archive");
        assertThat(list.allows(s3("s3://acme-results/x"))).isTrue();
        assertThat(list.allows(s3("s3://acme-eu/x"))).isTrue();
        assertThat(list.allows(s3("s3://other/x"))).isFalse();
        assertThat(list.allows(gcs("gs://acme_archive/x"))).isTrue();
        // an s3:// entry does not allow the same name on GCS, nor the reverse
        assertThat(list.allows(gcs("gs://acme-results/x"))).isFalse();
        assertThat(BucketList.parse(List.of("gs://acme_archive")).allows(s3("s3://acme-archive/x")))
                .isFalse();
        assertThat(BucketList.parse(List.of()).allows(s3("s3://acme-results/x")))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "acme-results",
                "http://acme",
                "s3://",
                "s3://Acme",
                "s3://acme/prefix",
                "s3://a b",
                "gs://acme?x"
            })
    void shouldRefuseAnEntryThatIsNoS3OrGsBucketPatternNamingItsIndex(String entry) {
        assertThatThrownBy(() -> BucketList.parse(List.of("s3://fine", entry)))
                .isInstanceOfSatisfying(
                        InvalidStorageTargetException.class,
                        e -> assertThat(e.field()).isEqualTo("buckets[1]"));
    }

    @Test
    void shouldRefuseMoreThanTheMostEntries() {
        List<String> many = java.util.stream.IntStream.rangeClosed(0, BucketList.MAX_ENTRIES)
                .mapToObj(i -> "s3://b" + i)
                .toList();

        assertThatThrownBy(() -> BucketList.parse(many))
                .isInstanceOfSatisfying(
                        InvalidStorageTargetException.class,
                        e -> assertThat(e.field()).isEqualTo("buckets"));
    }

    @Test
    void shouldCheckTheDeploymentsRulesFirstThenTheOwnersList() {
        BucketList list = BucketList.parse(List.of("s3://*"));

        // a list cannot open the deployment's own bucket
        assertThatThrownBy(() -> DEPLOYMENT.check(s3("s3://recur-results/x"), list))
                .hasMessageContaining("deployment's own bucket");
        assertThatThrownBy(() -> DEPLOYMENT.check(s3("s3://other/x"), BucketList.parse(List.of("s3://acme-*"))))
                .isInstanceOfSatisfying(InvalidStorageTargetException.class, e -> {
                    assertThat(e.field()).isEqualTo("storage_url");
                    assertThat(e.problem()).contains("'other', which is not in the owner's bucket list (s3://acme-*)");
                });
        assertThatThrownBy(() -> DEPLOYMENT.check(s3("s3://other/x"), BucketList.parse(List.of())))
                .hasMessageContaining("bucket list (empty)");
        DEPLOYMENT.check(s3("s3://other/x"), null);
        DEPLOYMENT.check(s3("s3://acme-1/x"), BucketList.parse(List.of("s3://acme-*")));
    }
}
