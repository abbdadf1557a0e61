package dev.recur.testinfra;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/** A real S3-compatible server: s3proxy from Maven, or MinIO when Docker is there. Path-style, us-east-1. */
public interface S3Server extends Server {

    String REGION = "us-east-1";

    String endpoint();

    String accessKey();

    String secretKey();

    /** A client for test assertions; the services configure their own from {@link #endpoint()}. */
    default S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    default void createBucket(String name) {
        try (S3Client s3 = client()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
                s3.createBucket(b -> b.bucket(name));
            }
        } catch (BucketAlreadyOwnedByYouException e) {
            // created meanwhile by another user of the same server
        }
    }
}
