package io.atoll.registry.web;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.auth.Action;
import io.atoll.registry.auth.Identity;
import io.atoll.registry.auth.RegistryAccess;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.UploadService;
import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.Reference;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage.BlobStat;
import io.atoll.registry.storage.RegistryStorage.StoredManifest;
import io.atoll.registry.storage.RegistryStorage.UploadStat;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Distribution API under {@code /v2/}. One handler for the whole tree because repository
 * names contain slashes, which Spring's path patterns cannot split reliably; {@link RegistryPath}
 * parses the raw path once and the methods below handle one resource each.
 */
@RestController
public class DistributionController {

    static final String API_VERSION = "Docker-Distribution-API-Version";
    static final String CONTENT_DIGEST = "Docker-Content-Digest";
    static final String UPLOAD_UUID = "Docker-Upload-UUID";
    private static final String SENDFILE_SUPPORTED = "org.apache.tomcat.sendfile.support";
    private static final String SENDFILE_FILENAME = "org.apache.tomcat.sendfile.filename";
    private static final String SENDFILE_START = "org.apache.tomcat.sendfile.start";
    private static final String SENDFILE_END = "org.apache.tomcat.sendfile.end";
    private static final List<String> MANIFEST_TYPES = List.of(ManifestService.OCI_MANIFEST, ManifestService.OCI_INDEX,
            ManifestService.DOCKER_MANIFEST, ManifestService.DOCKER_MANIFEST_LIST);

    private final BlobService blobs;
    private final UploadService uploads;
    private final ManifestService manifests;
    private final TransferMetrics metrics;
    private final JsonMapper json;
    private final RegistryAccess access;
    private final boolean sendfile;
    private final BlobWriter writer;

    public DistributionController(BlobService blobs, UploadService uploads, ManifestService manifests,
            TransferMetrics metrics, JsonMapper json, RegistryAccess access, RegistryProperties properties,
            BlobWriter writer) {
        this.sendfile = properties.http().sendfile();
        this.writer = writer;
        this.access = access;
        this.blobs = blobs;
        this.uploads = uploads;
        this.manifests = manifests;
        this.metrics = metrics;
        this.json = json;
    }

    @RequestMapping({"/v2", "/v2/", "/v2/**"})
    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader(API_VERSION, "registry/2.0");
        Identity who = access.authenticate(request.getHeader("Authorization"));
        RegistryPath path = RegistryPath.parse(pathAfterV2(request));
        String method = request.getMethod();
        request.setAttribute(OperationTimingFilter.OPERATION, path.kind().name().toLowerCase() + "_" + method.toLowerCase());
        if (path.kind() == RegistryPath.Kind.PING || path.kind() == RegistryPath.Kind.CATALOG) {
            access.requireLogin(who);
        } else {
            access.authorize(who, path.name(), action(path.kind(), method));
        }
        switch (path.kind()) {
            case PING -> {
                requireMethod(method, "GET", "HEAD");
                writeJson(request, response, 200, Map.of());
            }
            case CATALOG -> {
                requireMethod(method, "GET");
                catalog(who, request, response);
            }
            case TAGS -> {
                requireMethod(method, "GET");
                tags(path.name(), request, response);
            }
            case REFERRERS -> {
                requireMethod(method, "GET");
                referrers(path.name(), Digest.parse(path.argument()), request, response);
            }
            case MANIFEST -> {
                Reference reference = Reference.parse(path.argument());
                switch (method) {
                    case "GET", "HEAD" -> getManifest(path.name(), reference, request, response);
                    case "PUT" -> putManifest(path.name(), reference, request, response);
                    case "DELETE" -> {
                        manifests.delete(path.name(), reference);
                        accepted(response);
                    }
                    default -> throw unsupported(method);
                }
            }
            case UPLOADS -> {
                requireMethod(method, "POST");
                startUpload(path.name(), who, request, response);
            }
            case UPLOAD -> {
                String id = path.argument();
                switch (method) {
                    case "GET" -> uploadStatus(uploads.status(path.name(), id), response, 204);
                    case "PATCH" -> patchUpload(path.name(), id, request, response);
                    case "PUT" -> {
                        Digest digest = requiredDigest(query(request));
                        uploads.complete(path.name(), id, digest, body(request), chunkStart(request));
                        blobCreated(path.name(), digest, response);
                    }
                    case "DELETE" -> {
                        uploads.cancel(path.name(), id);
                        response.setStatus(204);
                    }
                    default -> throw unsupported(method);
                }
            }
            case BLOB -> {
                Digest digest = Digest.parse(path.argument());
                switch (method) {
                    case "GET", "HEAD" -> getBlob(path.name(), digest, request, response);
                    case "DELETE" -> {
                        // Frozen, so that no manifest PUT can come to need the blob between the check and the unlink.
                        manifests.withReferencesFrozen(() -> {
                            blobs.delete(path.name(), digest, manifests.referencedBlobs(path.name()));
                            return null;
                        });
                        accepted(response);
                    }
                    default -> throw unsupported(method);
                }
            }
        }
    }

    private static Action action(RegistryPath.Kind kind, String method) {
        return switch (kind) {
            case UPLOADS, UPLOAD -> Action.PUSH;
            default -> method.equals("GET") || method.equals("HEAD") ? Action.PULL : Action.PUSH;
        };
    }

    // ---- blobs

    private void getBlob(RepositoryName name, Digest digest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        BlobStat blob = blobs.stat(name, digest);
        long size = blob.size();
        // Docker resumes an interrupted layer download with a Range request.
        ByteRange range = ByteRange.of(request.getHeader("Range"), size);
        if (!range.satisfiable()) {
            response.setHeader("Content-Range", "bytes */" + size);
            throw new RegistryException(ErrorCode.SIZE_INVALID, 416, "requested range not satisfiable",
                    Map.of("size", size));
        }
        long start = range.start();
        long end = range.end();
        int status = 200;
        if (range.partial()) {
            status = 206;
            response.setHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        response.setStatus(status);
        response.setContentType("application/octet-stream");
        long length = range.length();
        response.setContentLengthLong(length);
        response.setHeader(CONTENT_DIGEST, digest.toString());
        response.setHeader("ETag", "\"" + digest + "\"");
        response.setHeader("Accept-Ranges", "bytes");
        response.setHeader("Cache-Control", "max-age=31536000");
        if (request.getMethod().equals("HEAD")) {
            return;
        }
        // sendfile (off by default, see BlobWriter) happens in Tomcat after this method returns,
        // and only where it can: plain HTTP on NIO, not over TLS.
        Optional<Path> file = blobs.file(digest);
        if (file.isPresent() && sendfile && Boolean.TRUE.equals(request.getAttribute(SENDFILE_SUPPORTED))) {
            request.setAttribute(SENDFILE_FILENAME, file.get().toString());
            request.setAttribute(SENDFILE_START, start);
            request.setAttribute(SENDFILE_END, end + 1);
            metrics.sent(length);
            return;
        }
        if (file.isPresent()) {
            try {
                writer.write(file.get(), start, length, response.getOutputStream());
                return;
            } catch (NoSuchFileException e) {
                // deleted (garbage-collected) since the stat, before a byte was sent: the stream path answers
            }
        }
        InputStream in;
        try {
            in = blobs.open(digest, start);
        } catch (RegistryException e) {
            // Gone since the stat. The headers set above (its length, its ETag, a year of
            // caching) describe the blob, not this error; nothing has been sent yet.
            response.reset();
            throw e;
        }
        try (in) {
            writer.write(in, length, response.getOutputStream());
        }
    }

    // ---- uploads

    private void startUpload(RepositoryName name, Identity who, HttpServletRequest request, HttpServletResponse response) {
        Map<String, String> query = query(request);
        if (query.containsKey("mount") && mount(name, query, who, response)) {
            return;
        }
        UploadStat upload = uploads.start(name);
        if (query.containsKey("digest")) {
            try {
                Digest digest = requiredDigest(query);
                uploads.complete(name, upload.uploadId(), digest, body(request), null);
                blobCreated(name, digest, response);
            } catch (RuntimeException e) {
                // The client never learnt this upload's id, so it can neither resume nor cancel it.
                uploads.discard(name, upload.uploadId());
                throw e;
            }
            return;
        }
        uploadStatus(upload, response, 202);
    }

    /**
     * Mounting is reading: the blob must be held by {@code from} and the client must be allowed
     * to pull {@code from}. Otherwise the client gets a fresh upload (202) and sends the bytes
     * itself, as the spec allows; the answer is the same whether the blob exists elsewhere or
     * not, so a mount reveals nothing about other repositories.
     */
    private boolean mount(RepositoryName name, Map<String, String> query, Identity who, HttpServletResponse response) {
        Digest digest;
        try {
            digest = Digest.parse(query.get("mount"));
        } catch (RegistryException e) {
            return false;
        }
        if (blobs.held(name, digest)) {
            blobCreated(name, digest, response);
            return true;
        }
        RepositoryName source;
        try {
            source = new RepositoryName(query.get("from"));
        } catch (RegistryException e) {
            return false;
        }
        if (!access.allowed(who, source, Action.PULL) || !blobs.mount(source, name, digest)) {
            return false;
        }
        blobCreated(name, digest, response);
        return true;
    }

    private void patchUpload(RepositoryName name, String id, HttpServletRequest request, HttpServletResponse response) {
        uploadStatus(uploads.append(name, id, body(request), chunkStart(request)), response, 202);
    }

    /** Where a chunk with a {@code Content-Range} says it starts; null without one. */
    private static Long chunkStart(HttpServletRequest request) {
        ChunkRange range = ChunkRange.parse(request.getHeader("Content-Range"));
        if (range == null) {
            return null;
        }
        range.requireLength(request.getContentLengthLong());
        return range.start();
    }

    private void uploadStatus(UploadStat upload, HttpServletResponse response, int status) {
        response.setStatus(status);
        response.setHeader("Location", "/v2/" + upload.repository() + "/blobs/uploads/" + upload.uploadId());
        response.setHeader(UPLOAD_UUID, upload.uploadId());
        // The reference registry's convention: "0-0" for an empty upload, else the last byte's offset.
        response.setHeader("Range", "0-" + Math.max(0, upload.size() - 1));
        response.setContentLength(0);
    }

    private void blobCreated(RepositoryName name, Digest digest, HttpServletResponse response) {
        response.setStatus(201);
        response.setHeader("Location", "/v2/" + name + "/blobs/" + digest);
        response.setHeader(CONTENT_DIGEST, digest.toString());
        response.setContentLength(0);
    }

    // ---- manifests

    private void getManifest(RepositoryName name, Reference reference, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        StoredManifest manifest = manifests.get(name, reference);
        // Docker sends each accepted type as a header of its own.
        requireAcceptable(manifest, String.join(",", java.util.Collections.list(request.getHeaders("Accept"))), reference);
        response.setStatus(200);
        response.setContentType(manifest.mediaType());
        response.setContentLength(manifest.content().length);
        response.setHeader(CONTENT_DIGEST, manifest.digest().toString());
        response.setHeader("ETag", "\"" + manifest.digest() + "\"");
        if (request.getMethod().equals("GET")) {
            response.getOutputStream().write(manifest.content());
            metrics.sent(manifest.content().length);
        }
    }

    private void putManifest(RepositoryName name, Reference reference, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        byte[] content;
        try (InputStream in = body(request)) {
            content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, manifests.maxSize() + 1));
        } catch (RegistryException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "manifest body broke off: " + e.getMessage());
        }
        ManifestService.Pushed pushed = manifests.put(name, reference, request.getContentType(), content);
        Digest digest = pushed.digest();
        if (pushed.subject() != null) {
            // Tells the client this registry indexes referrers, so it need not maintain a fallback tag.
            response.setHeader("OCI-Subject", pushed.subject().toString());
        }
        response.setStatus(201);
        response.setHeader("Location", "/v2/" + name + "/manifests/" + digest);
        response.setHeader(CONTENT_DIGEST, digest.toString());
        response.setContentLength(0);
    }

    private void tags(RepositoryName name, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Page page = page(manifests.tags(name), query(request), "/v2/" + name + "/tags/list", response);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.value());
        body.put("tags", page.items());
        writeJson(request, response, 200, body);
    }

    /** Only the repositories the caller may pull from, so the catalog reveals nothing else. */
    private void catalog(Identity who, HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> names = manifests.repositories().stream()
                .filter(repository -> access.allowed(who, repository, Action.PULL))
                .map(RepositoryName::value)
                .toList();
        Page page = page(names, query(request), "/v2/_catalog", response);
        writeJson(request, response, 200, Map.of("repositories", page.items()));
    }

    private void referrers(RepositoryName name, Digest subject, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String artifactType = query(request).get("artifactType");
        if (artifactType != null && artifactType.isEmpty()) {
            artifactType = null;
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", ManifestService.OCI_INDEX);
        index.put("manifests", manifests.referrers(name, subject, artifactType));
        if (artifactType != null) {
            response.setHeader("OCI-Filters-Applied", "artifactType");
        }
        writeJson(request, response, 200, index, ManifestService.OCI_INDEX);
    }

    private record Page(List<String> items) {
    }

    /**
     * The spec's pagination over a sorted list: entries after {@code last}, at most {@code n},
     * and a {@code Link: <…?n=&last=>; rel="next"} header when more remain.
     */
    private static Page page(List<String> sorted, Map<String, String> query, String path, HttpServletResponse response) {
        List<String> items = sorted;
        String last = query.get("last");
        if (last != null && !last.isEmpty()) {
            items = items.stream().filter(item -> item.compareTo(last) > 0).toList();
        }
        if (!query.containsKey("n")) {
            return new Page(items);
        }
        int n;
        try {
            n = Integer.parseInt(query.get("n"));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer",
                    Map.of("n", query.get("n")));
        }
        if (items.size() > n && n > 0) {
            List<String> page = items.subList(0, n);
            response.setHeader("Link", "<" + path + "?n=" + n + "&last="
                    + UriUtils.encodeQueryParam(page.get(n - 1), StandardCharsets.UTF_8) + ">; rel=\"next\"");
            return new Page(page);
        }
        return new Page(n == 0 ? List.of() : items);
    }

    /**
     * A client that lists the manifest types it understands gets only one of them, as from
     * the reference registry (which never converts OCI to Docker or back either). Clients that
     * list none (curl, generic HTTP) get what was stored.
     */
    private static void requireAcceptable(StoredManifest manifest, String accept, Reference reference) {
        if (accept == null || accept.isBlank()) {
            return;
        }
        List<String> types = java.util.Arrays.stream(accept.split(","))
                .map(type -> type.split(";", 2)[0].trim().toLowerCase())
                .toList();
        boolean negotiates = types.stream().anyMatch(MANIFEST_TYPES::contains);
        if (negotiates && !types.contains(manifest.mediaType()) && !types.contains("*/*")) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, 404,
                    "manifest is " + manifest.mediaType() + ", which the Accept header does not allow",
                    Map.of("reference", reference.toString(), "mediaType", manifest.mediaType()));
        }
    }

    private void accepted(HttpServletResponse response) {
        response.setStatus(202);
        response.setContentLength(0);
    }

    // ---- helpers

    private InputStream body(HttpServletRequest request) {
        try {
            return new MeteredBody(request.getInputStream(), metrics);
        } catch (IOException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "request body could not be read");
        }
    }

    private void writeJson(HttpServletRequest request, HttpServletResponse response, int status, Object body)
            throws IOException {
        writeJson(request, response, status, body, "application/json");
    }

    private void writeJson(HttpServletRequest request, HttpServletResponse response, int status, Object body,
            String contentType) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        if (!request.getMethod().equals("HEAD")) {
            response.getOutputStream().write(bytes);
        }
    }

    private static String pathAfterV2(HttpServletRequest request) {
        // The raw URI, not the servlet path: the container's normalisation must not turn
        // "/v2/a/../b" into a different repository before the name check sees it.
        String path = request.getRequestURI().substring(request.getContextPath().length());
        try {
            path = UriUtils.decode(path, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "malformed percent-encoding in path");
        }
        return path.length() <= "/v2/".length() ? "" : path.substring("/v2/".length());
    }

    /** Parsed by hand: {@code request.getParameter} would consume a form-encoded upload body. */
    private static Map<String, String> query(HttpServletRequest request) {
        Map<String, String> result = new HashMap<>();
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return result;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                result.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                result.putIfAbsent(key, value);
            }
        }
        return result;
    }

    private static Digest requiredDigest(Map<String, String> query) {
        if (!query.containsKey("digest")) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required to complete an upload");
        }
        return Digest.parse(query.get("digest"));
    }

    private static void requireMethod(String method, String... allowed) {
        for (String candidate : allowed) {
            if (candidate.equals(method)) {
                return;
            }
        }
        throw unsupported(method);
    }

    private static RegistryException unsupported(String method) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "operation not supported: " + method, Map.of("method", method));
    }
}
