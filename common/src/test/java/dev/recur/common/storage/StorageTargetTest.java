package dev.recur.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import dev.recur.common.storage.StorageTarget.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorageTargetTest {

    @Test
    void shouldParseBucketAndPrefixOfEachForm() {
        assertThat(StorageTarget.parse(Type.S3, "s3://my-bucket/a/b/"))
                .isEqualTo(new StorageTarget(Type.S3, "my-bucket", "a/b"));
        assertThat(StorageTarget.parse(Type.GCS, "gs://my_bucket/x"))
                .isEqualTo(new StorageTarget(Type.GCS, "my_bucket", "x"));
        assertThat(StorageTarget.parse(Type.GCS, "my_bucket")).isEqualTo(new StorageTarget(Type.GCS, "my_bucket", ""));
        assertThat(StorageTarget.parse(Type.S3, "s3://b12/p").key(42)).isEqualTo("p/42.json");
        assertThat(StorageTarget.parse(Type.S3, "s3://b12").key(42)).isEqualTo("42.json");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3://bucket/../other",
                "s3://bucket/a/../../b",
                "s3://bucket/./a",
                "s3://bucket/a//b",
                "s3://bucket//a",
                "s3://bucket/a\u0000b",
                "s3://bucket/a\nb",
                "s3://bucket/a\u007fb",
                "s3://bucket/a\u0085b",
                "s3://Bucket/a",
                "s3://b/a",
                "s3://bucket_x/a",
                "https://bucket/a",
                "bucket/a",
                "s3:///prefix",
                "s3://"
            })
    void shouldRefuseTraversalEmptySegmentsControlCharactersAndBadBuckets(String url) {
        assertThatThrownBy(() -> StorageTarget.parse(Type.S3, url))
                .isInstanceOf(InvalidStorageTargetException.class)
                .extracting(e -> ((InvalidStorageTargetException) e).field())
                .isEqualTo("storage_url");
    }

    @Test
    void shouldRefuseTheSystemBucketAndBucketsOutsideTheAllowedPatterns() {
        BucketPolicy any = new BucketPolicy(Set.of("recur-results"), List.of());
        any.check(StorageTarget.parse(Type.S3, "s3://tenant-bucket/p"));
        assertThatThrownBy(() -> any.check(StorageTarget.parse(Type.S3, "s3://recur-results/mine")))
                .hasMessageContaining("deployment's own bucket 'recur-results'");
        assertThatThrownBy(() -> any.check(StorageTarget.parse(Type.GCS, "gs://recur-results/mine")))
                .isInstanceOf(InvalidStorageTargetException.class);

        BucketPolicy patterns = new BucketPolicy(Set.of("recur-results"), List.of("acme-*", "shared.bucket"));
        patterns.check(StorageTarget.parse(Type.S3, "s3://acme-scrapes/p"));
        patterns.check(StorageTarget.parse(Type.S3, "s3://shared.bucket/p"));
        assertThatThrownBy(() -> patterns.check(StorageTarget.parse(Type.S3, "s3://other-bucket/p")))
                .hasMessageContaining("does not allow");
        // a '.' in a pattern is literal, not any character
        assertThatThrownBy(() -> patterns.check(StorageTarget.parse(Type.S3, "s3://sharedxbucket/p")))
                .isInstanceOf(InvalidStorageTargetException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Acme-*", "a/b", "a b"})
    void shouldStopAtStartWhenAnAllowedPatternIsMalformed(String pattern) {
        assertThatThrownBy(() -> new BucketPolicy(Set.of("recur-results"), List.of(pattern)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recur.storage.allowed-buckets");
    }
}
