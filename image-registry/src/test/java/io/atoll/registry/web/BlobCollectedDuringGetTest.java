package io.atoll.registry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doAnswer;

import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.storage.RegistryStorage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Garbage collection may delete a blob between the GET's stat (which sets its length, ETag and
 * caching headers) and the opening of its bytes. The spy on the real storage does exactly that;
 * there is no other way to hit the window on purpose.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class BlobCollectedDuringGetTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-collected-test");

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @MockitoSpyBean
    RegistryStorage storage;

    @Test
    // Before the fix the 404 claimed the blob's Content-Length, and the client waited for bytes that never came.
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBlobCollectedAfterItsStatIsACleanUncacheable404() {
        RegistryClient registry = new RegistryClient(port);
        byte[] content = TestFiles.randomBytes(100_000);
        Digest digest = Digest.of(content);
        assertThat(registry.post("/v2/demo/collected/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream").statusCode()).isEqualTo(201);
        doAnswer(call -> {
            Object file = call.callRealMethod();
            storage.deleteBlob(digest);
            return file;
        }).when(storage).blobFile(digest);

        HttpResponse<byte[]> get = registry.get("/v2/demo/collected/blobs/" + digest);

        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(json.readTree(get.body()).path("errors").path(0).path("code").asString()).isEqualTo("BLOB_UNKNOWN");
        // Whatever length is declared (the error body may be chunked) is the length of the error body.
        assertThat(get.headers().firstValueAsLong("Content-Length").orElse(get.body().length)).isEqualTo(get.body().length);
        assertThat(get.headers().firstValue("ETag")).isEmpty();
        assertThat(get.headers().firstValue("Cache-Control")).isEmpty();
    }
}
