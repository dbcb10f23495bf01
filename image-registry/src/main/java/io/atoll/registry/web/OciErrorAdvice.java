package io.atoll.registry.web;

import io.atoll.registry.auth.RegistryAccess;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.OciErrors;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.storage.StorageException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The one place where failures become the spec's error body {@code {"errors":[{code,message,detail}]}}. */
@RestControllerAdvice(assignableTypes = DistributionController.class)
class OciErrorAdvice {

    /**
     * The error this advice answered with. Tomcat may have marked the response as failed already
     * (a request body that broke off is its 400), in which case the body written here is dropped
     * and {@link OciErrorController} answers from this instead.
     */
    static final String DECIDED = OciErrorAdvice.class.getName() + ".decided";
    private static final Logger log = LoggerFactory.getLogger(OciErrorAdvice.class);

    private final RegistryAccess access;

    OciErrorAdvice(RegistryAccess access) {
        this.access = access;
    }

    @ExceptionHandler(RegistryException.class)
    ResponseEntity<Map<String, Object>> registry(RegistryException e, HttpServletRequest request) {
        request.setAttribute(DECIDED, e);
        ResponseEntity<Map<String, Object>> response = body(e.status(), e.code(), e.getMessage(), e.detail());
        if (e.code() == ErrorCode.UNAUTHORIZED) {
            // How docker discovers that it must send the credentials of `docker login`.
            return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                    .header("WWW-Authenticate", "Basic realm=\"" + access.realm() + "\", charset=\"UTF-8\"")
                    .body(response.getBody());
        }
        return response;
    }

    @ExceptionHandler(StorageException.class)
    ResponseEntity<Map<String, Object>> storage(StorageException e) {
        log.error("storage failure", e);
        return body(500, ErrorCode.UNKNOWN, "storage failure", null);
    }

    /** A fault of the registry itself: never bad input, which is always a {@link RegistryException}. */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Map<String, Object>> unexpected(RuntimeException e) {
        log.error("request failed", e);
        return body(500, ErrorCode.UNKNOWN, "internal server error", null);
    }

    /** The client went away mid-response; nobody is left to read an error. */
    @ExceptionHandler(IOException.class)
    void clientGone(IOException e) {
        log.debug("client connection closed: {}", e.toString());
    }

    private static ResponseEntity<Map<String, Object>> body(int status, ErrorCode code, String message, Object detail) {
        return ResponseEntity.status(status)
                .header(DistributionController.API_VERSION, "registry/2.0")
                .contentType(MediaType.APPLICATION_JSON)
                .body(OciErrors.body(code, message, detail));
    }
}
