package io.atoll.registry.manifest;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.ReferenceLock;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.Reference;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.StoredManifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    // RFC 6838 restricted-name "/" restricted-name, nothing else (no parameters, spaces or controls).
    private static final java.util.regex.Pattern MEDIA_TYPE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    private static final Logger log = LoggerFactory.getLogger(ManifestService.class);

    private final RegistryStorage storage;
    private final BlobService blobs;
    private final JsonMapper json;
    private final long maxSize;
    /** Manifest PUTs add references; whatever deletes blobs or links waits for them, and they for it. */
    private final ReferenceLock references;

    public ManifestService(RegistryStorage storage, BlobService blobs, ReferenceLock references, JsonMapper json,
            RegistryProperties properties) {
        this.storage = storage;
        this.blobs = blobs;
        this.references = references;
        this.json = json;
        this.maxSize = properties.maxManifestSize();
    }

    public long maxSize() {
        return maxSize;
    }

    /** A stored manifest's digest and, when it has one, the digest of its {@code subject}. */
    public record Pushed(Digest digest, Digest subject) {
    }

    public Pushed put(RepositoryName repository, Reference reference, String contentType, byte[] content) {
        if (content.length > maxSize) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, 413, "manifest larger than " + maxSize + " bytes", null);
        }
        JsonNode manifest = parse(content);
        String mediaType = mediaType(contentType, manifest);
        return references.adding(() -> store(repository, reference, content, manifest, mediaType));
    }

    /**
     * Runs {@code work} while no manifest PUT can add a reference to a blob, and no upload or mount
     * can link one ({@link ReferenceLock#removing}).
     */
    public <T> T withReferencesFrozen(Supplier<T> work) {
        return references.removing(work);
    }

    private Pushed store(RepositoryName repository, Reference reference, byte[] content, JsonNode manifest, String mediaType) {
        checkReferences(repository, manifest, mediaType);
        // The subject may be absent: the spec lets an artifact (a signature, an SBOM) arrive before what it refers to.
        Digest subject = manifest.has("subject") ? descriptorDigest(manifest.get("subject")) : null;
        Digest digest = Digest.of(content);
        if (reference.isDigest() && !reference.digest().equals(digest)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "manifest content does not match the digest in the URL",
                    Map.of("expected", reference.digest().toString(), "actual", digest.toString()));
        }
        storage.writeManifest(repository, digest, mediaType, content);
        if (!reference.isDigest()) {
            storage.writeTag(repository, reference.tag(), digest);
        }
        return new Pushed(digest, subject);
    }

    /**
     * By digest: the manifest goes, and so does every tag pointing at it (a tag must never
     * dangle). By tag: only the tag goes, as the spec allows; the manifest stays reachable by digest.
     */
    public void delete(RepositoryName repository, Reference reference) {
        if (!storage.repositoryExists(repository)) {
            throw nameUnknown(repository);
        }
        if (!reference.isDigest()) {
            if (!storage.deleteTag(repository, reference.tag())) {
                throw unknown(reference);
            }
            return;
        }
        if (storage.readManifest(repository, reference.digest()).isEmpty()) {
            throw unknown(reference);
        }
        for (String tag : storage.listTags(repository)) {
            if (storage.readTag(repository, tag).filter(reference.digest()::equals).isPresent()) {
                storage.deleteTag(repository, tag);
            }
        }
        storage.deleteManifest(repository, reference.digest());
    }

    /**
     * The referrers API: descriptors of the manifests in this repository whose {@code subject}
     * is {@code subject}, optionally only those of one artifact type. Found by reading the
     * repository's manifests, which keeps storage free of a second index to keep consistent.
     */
    public List<Map<String, Object>> referrers(RepositoryName repository, Digest subject, String artifactType) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Digest digest : storage.listManifests(repository)) {
            ParsedManifest parsed = readParsed(repository, digest);
            if (parsed == null) {
                continue;
            }
            StoredManifest stored = parsed.stored();
            JsonNode manifest = parsed.json();
            if (!subject.toString().equals(manifest.path("subject").path("digest").asString(""))) {
                continue;
            }
            String type = manifest.path("artifactType").isString() ? manifest.get("artifactType").stringValue()
                    : manifest.path("config").path("mediaType").isString() ? manifest.path("config").get("mediaType").stringValue()
                    : null;
            if (artifactType != null && !artifactType.equals(type)) {
                continue;
            }
            Map<String, Object> descriptor = new LinkedHashMap<>();
            descriptor.put("mediaType", stored.mediaType());
            descriptor.put("digest", digest.toString());
            descriptor.put("size", stored.content().length);
            if (type != null) {
                descriptor.put("artifactType", type);
            }
            if (manifest.path("annotations").isObject()) {
                descriptor.put("annotations", manifest.get("annotations"));
            }
            result.add(descriptor);
        }
        result.sort(Comparator.comparing(d -> (String) d.get("digest")));
        return result;
    }

    public List<RepositoryName> repositories() {
        return storage.listRepositories();
    }

    /**
     * Every blob some manifest in some repository needs (config and layers), with one
     * manifest that needs it: what garbage collection must keep. Blob bytes are shared by all
     * repositories, so this is the whole registry's view.
     */
    public Map<Digest, String> referencedBlobs() {
        Map<Digest, String> result = new HashMap<>();
        for (RepositoryName repository : storage.listRepositories()) {
            for (Digest digest : storage.listManifests(repository)) {
                String owner = repository + "@" + digest;
                blobsOf(repository, digest).forEach(blob -> result.putIfAbsent(blob, owner));
            }
        }
        return result;
    }

    /** The blobs (config and layers) the manifests of one repository need. */
    public Set<Digest> referencedBlobs(RepositoryName repository) {
        Set<Digest> result = new HashSet<>();
        for (Digest digest : storage.listManifests(repository)) {
            result.addAll(blobsOf(repository, digest));
        }
        return result;
    }

    /**
     * A stored image manifest's config and layer digests. Empty for an index (whatever else it
     * carries), for a document a PUT now refuses as both index and image (one stored before that
     * check could name another repository's blobs unchecked), and when it is gone or unreadable.
     */
    private List<Digest> blobsOf(RepositoryName repository, Digest manifestDigest) {
        ParsedManifest parsed = readParsed(repository, manifestDigest);
        if (parsed == null || isIndex(parsed.stored().mediaType(), parsed.json())) {
            return List.of();
        }
        if (isAmbiguous(parsed.json())) {
            log.warn("manifest {}@{} carries both 'manifests' and 'config'/'layers': its blobs are ignored "
                    + "(neither kept by garbage collection nor linked by a migration); delete it", repository, manifestDigest);
            return List.of();
        }
        List<JsonNode> descriptors = new ArrayList<>();
        descriptors.add(parsed.json().path("config"));
        parsed.json().path("layers").forEach(descriptors::add);
        List<Digest> result = new ArrayList<>();
        for (JsonNode descriptor : descriptors) {
            String value = descriptor.path("digest").asString("");
            if (value.startsWith("sha256:") && value.length() == 71) {
                try {
                    result.add(Digest.parse(value));
                } catch (RegistryException e) {
                    // stored manifests were validated on PUT; skip anything odd
                }
            }
        }
        return result;
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
            throw nameUnknown(repository);
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
        JsonNode version = manifest.path("schemaVersion");
        // Exactly the integer 2: not "2", 2.0, 2e0, or a number too large for an int.
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != 2) {
            throw invalid("only schemaVersion 2 manifests (Docker schema 2, OCI) are supported");
        }
        return manifest;
    }

    /**
     * The declared Content-Type wins; the document's own mediaType must not contradict it. The
     * result is sent back as a response header and stored as an S3 object's Content-Type, so
     * only a plain RFC 6838 {@code type/subtype} is kept.
     */
    private static String mediaType(String contentType, JsonNode manifest) {
        String declared = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (manifest.has("mediaType") && !manifest.get("mediaType").isString()) {
            throw invalid("the manifest's mediaType must be a string");
        }
        String field = manifest.path("mediaType").isString() ? manifest.path("mediaType").stringValue() : null;
        for (String type : new String[] {declared.isEmpty() ? null : declared, field}) {
            if (type != null && !MEDIA_TYPE.matcher(type).matches()) {
                throw invalid("not a media type: \"" + (type.length() > 100 ? type.substring(0, 100) + "…" : type) + "\"");
            }
        }
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

    /**
     * An index names child manifests only; an image manifest names a config and layers only. Both
     * the check here and {@link #blobsOf} go by {@link #isIndex}, so that what a PUT let through
     * unchecked is never what garbage collection, blob DELETE or the layout-1 migration read: a
     * document carrying {@code manifests} beside {@code config} or {@code layers} is refused.
     */
    private void checkReferences(RepositoryName repository, JsonNode manifest, String mediaType) {
        if (isAmbiguous(manifest)) {
            throw invalid("a manifest has either 'manifests' (an index) or 'config' and 'layers' (an image), not both");
        }
        if (isIndex(mediaType, manifest)) {
            for (JsonNode child : array(manifest, "manifests")) {
                Digest digest = descriptorDigest(child);
                if (storage.readManifest(repository, digest).isEmpty()) {
                    throw blobUnknown(digest);
                }
            }
            return;
        }
        if (manifest.has("manifests")) {
            throw invalid("an image manifest (" + mediaType + ") has no 'manifests'");
        }
        if (!manifest.path("config").isObject()) {
            throw invalid("image manifest has no config descriptor");
        }
        requireBlob(repository, descriptorDigest(manifest.get("config")));
        for (JsonNode layer : array(manifest, "layers")) {
            Digest digest = descriptorDigest(layer);
            // Foreign (non-distributable) layers live elsewhere by design: clients fetch them from their URLs.
            String layerType = layer.path("mediaType").asString("");
            if (!layerType.contains("foreign") && !layerType.contains("nondistributable")) {
                requireBlob(repository, digest);
            }
        }
    }

    /**
     * Whether a manifest of this media type is an index (children are manifests, no blobs). The
     * four known types decide by themselves; any other type by the document's shape, as on PUT.
     */
    private static boolean isIndex(String mediaType, JsonNode manifest) {
        return switch (mediaType == null ? "" : mediaType) {
            case OCI_INDEX, DOCKER_MANIFEST_LIST -> true;
            case OCI_MANIFEST, DOCKER_MANIFEST -> false;
            default -> manifest.has("manifests");
        };
    }

    private static boolean isAmbiguous(JsonNode manifest) {
        return manifest.has("manifests") && (manifest.has("config") || manifest.has("layers"));
    }

    /**
     * The blob must be in this repository, not merely somewhere in the registry: a manifest naming
     * another tenant's layer would otherwise hand that layer to everyone who may pull this
     * repository. The reference registry refuses such a manifest the same way.
     */
    private void requireBlob(RepositoryName repository, Digest digest) {
        if (!blobs.held(repository, digest)) {
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
        return new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, "manifest references a blob or manifest this repository does not hold",
                Map.of("digest", digest.toString()));
    }

    private static RegistryException nameUnknown(RepositoryName repository) {
        return new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry",
                Map.of("name", repository.value()));
    }

    private static RegistryException unknown(Reference reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", Map.of("reference", reference.toString()));
    }

    private record ParsedManifest(StoredManifest stored, JsonNode json) {
    }

    /** A stored manifest and its JSON; null when it is gone or unreadable (scans skip those). */
    private ParsedManifest readParsed(RepositoryName repository, Digest digest) {
        StoredManifest stored = storage.readManifest(repository, digest).orElse(null);
        if (stored == null) {
            return null;
        }
        try {
            return new ParsedManifest(stored, json.readTree(stored.content()));
        } catch (JacksonException e) {
            return null;
        }
    }
}
