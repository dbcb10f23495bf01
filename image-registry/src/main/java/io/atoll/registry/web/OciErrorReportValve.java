package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.OciErrors;
import java.io.IOException;
import java.io.PrintWriter;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat answers requests it cannot parse (a NUL or space in the target, a malformed header,
 * a bad Content-Length, an oversized header block) before any servlet sees them, with an HTML
 * page of its own. This valve takes the place of Tomcat's on the host, so those answers carry
 * the registry's JSON error body too.
 *
 * <p>Two of Tomcat's refusals are 5xx although the client is at fault: 501 for a transfer coding
 * it does not implement (or CONNECT) and 505 for an HTTP version other than 1.0/1.1. Both are a
 * malformed request to a registry that speaks HTTP/1.1 and nothing else, so they are sent as 400
 * (405 for CONNECT, the method this server does not allow); a 5xx from this port then always
 * means a fault of the registry.
 */
public class OciErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(OciErrorReportValve.class);

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        // Not the path: what reaches this valve failed before the registry read any body, so a
        // 400 here is never "the upload's body broke off", whatever the path.
        String path = null;
        String message;
        if (status == 505) {
            status = 400;
            message = "only HTTP/1.0 and HTTP/1.1 are spoken here";
        } else if (status == 501) {
            status = "CONNECT".equals(request.getMethod()) ? 405 : 400;
            message = status == 405 ? "method not allowed" : "transfer coding not supported";
        } else {
            if (status >= 500) {
                log.error("request failed before the registry handled it: {}", String.valueOf(throwable));
            }
            message = OciErrors.messageFor(status, path);
        }
        response.setStatus(status);
        ErrorCode code = OciErrors.codeFor(status, path);
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(OciErrors.json(code, message));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response was taken over: nothing more to send.
        }
    }
}
