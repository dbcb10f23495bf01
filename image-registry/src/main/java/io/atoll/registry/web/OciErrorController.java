package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.OciErrors;
import io.atoll.registry.oci.RegistryException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where the servlet container sends an error it raised itself ({@code sendError}): Tomcat when a
 * request body breaks off or a TRACE arrives, Spring for paths outside {@code /v2} and for the
 * actuator's refusals. Spring Boot's default answer is a JSON of its own; here it is the spec's
 * error body, like every other error of this port. When the registry had already decided the
 * error (a {@link RegistryException} that Tomcat's status then overrode), that decision is used.
 */
@RestController
class OciErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(OciErrorController.class);

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = statusAttribute instanceof Integer value ? value : 404;
        String path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri ? uri : null;
        RegistryException decided = registryException(request);
        ErrorCode code;
        String message;
        Object detail = null;
        if (decided != null) {
            code = decided.code();
            message = decided.getMessage();
            detail = decided.detail();
            status = decided.status();
        } else {
            code = OciErrors.codeFor(status, path);
            message = OciErrors.messageFor(status, path);
            if (status >= 500) {
                log.error("request to {} failed", path, (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
            }
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (path != null && (path.equals("/v2") || path.startsWith("/v2/"))) {
            response.header(DistributionController.API_VERSION, "registry/2.0");
        }
        return response.body(OciErrors.body(code, message, detail));
    }

    private static RegistryException registryException(HttpServletRequest request) {
        if (request.getAttribute(OciErrorAdvice.DECIDED) instanceof RegistryException decided) {
            return decided;
        }
        Object thrown = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        for (Throwable cause = thrown instanceof Throwable t ? t : null; cause != null; cause = cause.getCause()) {
            if (cause instanceof RegistryException registry) {
                return registry;
            }
        }
        return null;
    }
}
