package io.atoll.s3;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The one way Atoll's services make an S3 client (image-registry's storage, build-service's log
 * archive), so that both talk to AWS and to S3-compatible servers alike. The AWS SDK is an optional
 * dependency of shared-model: a service that calls this brings {@code software.amazon.awssdk:s3}.
 */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * A synchronous client.
     *
     * @param endpoint an S3-compatible server (MinIO, Ceph, s3proxy); null for AWS
     * @param region the signing region
     * @param pathStyle {@code http://host/bucket/key} rather than {@code http://bucket.host/key}, which
     *     most servers other than AWS need
     * @param accessKeyId static credentials; null or blank: the SDK's default chain (environment,
     *     profile, instance role)
     * @param secretAccessKey goes with {@code accessKeyId}
     */
    public static S3Client connect(URI endpoint, String region, boolean pathStyle, String accessKeyId,
            String secretAccessKey) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                // Checksums only where S3 demands them: S3-compatible servers differ in the newer
                // trailing-checksum uploads, and what the services store carries its own digest.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (accessKeyId != null && !accessKeyId.isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }
}
