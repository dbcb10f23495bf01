package io.atoll.registry.oci;

/** The error codes of the OCI Distribution spec that this registry emits, each with its usual status. */
public enum ErrorCode {
    BLOB_UNKNOWN(404),
    DENIED(403),
    BLOB_UPLOAD_INVALID(400),
    BLOB_UPLOAD_UNKNOWN(404),
    DIGEST_INVALID(400),
    MANIFEST_BLOB_UNKNOWN(400),
    MANIFEST_INVALID(400),
    MANIFEST_UNKNOWN(404),
    NAME_INVALID(400),
    NAME_UNKNOWN(404),
    // The reference registry's code for a bad n in tags/list and _catalog.
    PAGINATION_NUMBER_INVALID(400),
    SIZE_INVALID(400),
    TOOMANYREQUESTS(429),
    UNAUTHORIZED(401),
    UNSUPPORTED(405),
    // Not a spec code; used only for genuine server faults (storage I/O), never for bad input.
    UNKNOWN(500);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
