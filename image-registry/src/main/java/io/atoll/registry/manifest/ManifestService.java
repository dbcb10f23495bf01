package io.atoll.registry.manifest;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.Reference;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.StoredManifest;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Manifests by digest, tags pointing at digests. The registry keeps the bytes exactly as pushed
 * (the digest is over those bytes) and the media type the client declared; it checks only what
 * it must to keep the repository consistent: valid JSON, and every referenced blob (or child
 * manifest of an index) already present.
 */
@Service
public class ManifestService {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private final RegistryStorage storage;
    private final BlobService blobs;
    private final JsonMapper json;
    private final long maxSize;

    public ManifestService(RegistryStorage storage, BlobService blobs, JsonMapper json, RegistryProperties properties) {
        this.storage = storage;
        this.blobs = blobs;
        this.json = json;
        this.maxSize = properties.maxManifestSize();
    }

    public long maxSize() {
        return maxSize;
    }

    public Digest put(RepositoryName repository, Reference reference, String contentType, byte[] content) {
        if (content.length > maxSize) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, 413, "manifest larger than " + maxSize + " bytes", null);
        }
        JsonNode manifest = parse(content);
        String mediaType = mediaType(contentType, manifest);
        checkReferences(repository, manifest);
        Digest digest = Digest.of(content);
        if (reference.isDigest() && !reference.digest().equals(digest)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "manifest content does not match the digest in the URL",
                    Map.of("expected", reference.digest().toString(), "actual", digest.toString()));
        }
        storage.writeManifest(repository, digest, mediaType, content);
        if (!reference.isDigest()) {
            storage.writeTag(repository, reference.tag(), digest);
        }
        return digest;
    }

    public StoredManifest get(RepositoryName repository, Reference reference) {
        if (!storage.repositoryExists(repository)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry",
                    Map.of("name", repository.value()));
        }
        Digest digest = reference.isDigest() ? reference.digest()
                : storage.readTag(repository, reference.tag()).orElseThrow(() -> unknown(reference));
        return storage.readManifest(repository, digest).orElseThrow(() -> unknown(reference));
    }

    public List<String> tags(RepositoryName repository) {
        if (!storage.repositoryExists(repository)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry",
                    Map.of("name", repository.value()));
        }
        return storage.listTags(repository);
    }

    private JsonNode parse(byte[] content) {
        JsonNode manifest;
        try {
            manifest = json.readTree(content);
        } catch (JacksonException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        }
        if (manifest == null || !manifest.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        if (manifest.path("schemaVersion").asInt(0) != 2) {
            throw invalid("only schemaVersion 2 manifests (Docker schema 2, OCI) are supported");
        }
        return manifest;
    }

    /** The declared Content-Type wins; the document's own mediaType must not contradict it. */
    private static String mediaType(String contentType, JsonNode manifest) {
        String declared = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase();
        String field = manifest.path("mediaType").isString() ? manifest.path("mediaType").stringValue() : null;
        boolean generic = declared.isEmpty() || declared.equals("application/json") || declared.equals("application/octet-stream");
        if (!generic && field != null && !field.equals(declared)) {
            throw invalid("Content-Type " + declared + " does not match the manifest's mediaType " + field);
        }
        if (!generic) {
            return declared;
        }
        if (field != null) {
            return field;
        }
        return manifest.has("manifests") ? OCI_INDEX : OCI_MANIFEST;
    }

    private void checkReferences(RepositoryName repository, JsonNode manifest) {
        if (manifest.has("manifests")) {
            for (JsonNode child : array(manifest, "manifests")) {
                Digest digest = descriptorDigest(child);
                if (storage.readManifest(repository, digest).isEmpty()) {
                    throw blobUnknown(digest);
                }
            }
            return;
        }
        if (!manifest.path("config").isObject()) {
            throw invalid("image manifest has no config descriptor");
        }
        requireBlob(descriptorDigest(manifest.get("config")));
        for (JsonNode layer : array(manifest, "layers")) {
            Digest digest = descriptorDigest(layer);
            // Foreign (non-distributable) layers live elsewhere by design: clients fetch them from their URLs.
            String layerType = layer.path("mediaType").asString("");
            if (!layerType.contains("foreign") && !layerType.contains("nondistributable")) {
                requireBlob(digest);
            }
        }
    }

    private void requireBlob(Digest digest) {
        if (!blobs.exists(digest)) {
            throw blobUnknown(digest);
        }
    }

    private static Iterable<JsonNode> array(JsonNode manifest, String field) {
        JsonNode node = manifest.path(field);
        if (!node.isArray()) {
            throw invalid("manifest field '" + field + "' must be an array");
        }
        return node;
    }

    private static Digest descriptorDigest(JsonNode descriptor) {
        if (!descriptor.isObject() || !descriptor.path("digest").isString()) {
            throw invalid("descriptor without a digest");
        }
        String value = descriptor.get("digest").stringValue();
        try {
            return Digest.parse(value);
        } catch (RegistryException e) {
            throw invalid("descriptor digest is not sha256:<hex>: " + value);
        }
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    private static RegistryException blobUnknown(Digest digest) {
        return new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "manifest references an unknown blob",
                Map.of("digest", digest.toString()));
    }

    private static RegistryException unknown(Reference reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", Map.of("reference", reference.toString()));
    }
}
