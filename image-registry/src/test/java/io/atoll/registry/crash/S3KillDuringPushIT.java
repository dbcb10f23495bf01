package io.atoll.registry.crash;

import io.atoll.registry.storage.InJvmS3;
import java.nio.file.Path;

/**
 * The same kill as {@link KillDuringPushIT}, on S3: the bucket lives in the test's JVM
 * (s3proxy), so it survives the registry's SIGKILL as a real S3 would. An upload there is a run
 * of segment objects and a blob appears only when a multipart upload completes, so a killed
 * push must leave neither a blob nor a manifest.
 */
class S3KillDuringPushIT extends KillDuringPushIT {

    private final String bucket = InJvmS3.newBucket();

    @Override
    protected String[] storageArguments(Path root) {
        return new String[] {"--atoll.registry.storage.type=s3", "--atoll.registry.storage.s3.bucket=" + bucket,
                "--atoll.registry.storage.s3.endpoint=" + InJvmS3.endpoint(),
                "--atoll.registry.storage.s3.path-style=true",
                "--atoll.registry.storage.s3.access-key-id=" + InJvmS3.ACCESS_KEY,
                "--atoll.registry.storage.s3.secret-access-key=" + InJvmS3.SECRET_KEY};
    }

    @Override
    protected boolean showsBytesOfAChunkInProgress() {
        return false;
    }
}
