package dev.recur.delivery.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StorageUrlTest {

    @Test
    void shouldSplitBucketAndPrefixWhenUrlHasAScheme() {
        assertThat(StorageUrl.parse("s3://bucket/a/b/").key(7)).isEqualTo("a/b/7.json");
        assertThat(StorageUrl.parse("gs://bucket/a").bucket()).isEqualTo("bucket");
    }

    @Test
    void shouldAcceptBareBucketAndPrefixWhenUrlHasNoScheme() {
        StorageUrl url = StorageUrl.parse("bucket/path");
        assertThat(url).isEqualTo(new StorageUrl("bucket", "path"));
        assertThat(StorageUrl.parse("bucket").key(7)).isEqualTo("7.json");
    }

    @Test
    void shouldRejectWhenBucketIsMissing() {
        assertThatThrownBy(() -> StorageUrl.parse("s3:///prefix")).isInstanceOf(IllegalArgumentException.class);
    }
}
