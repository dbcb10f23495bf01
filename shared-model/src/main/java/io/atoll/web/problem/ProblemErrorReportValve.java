package io.atoll.web.problem;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Tomcat's own error page, as problem+json: what Tomcat refuses before Spring sees the request
 * (a malformed request line, {@code %2F} or {@code %00} in the path, a header too large, no
 * {@code Host}) would otherwise be answered with its HTML page. The detail is fixed text: the
 * request that failed is not echoed back. A version of HTTP Tomcat does not speak ({@code
 * HTTP/1.2}, {@code HTTP/9.9}) or a transfer coding it does not know ({@code gzip}) is answered
 * 400, like the gateway does, not 505 or 501; {@code CONNECT} is a 405.
 */
class ProblemErrorReportValve extends ErrorReportValve {

    private final String serverFailure;

    /** @param service the service whose log an operator should read after a 5xx, as named there */
    ProblemErrorReportValve(String service) {
        // the name comes from configuration, but the body is written by hand: it is escaped once here
        this.serverFailure = new String(JsonStringEncoder.getInstance()
                .quoteAsCharArray("the HTTP server failed; see the " + service + " log"));
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        if (status == 505 || status == 501) {
            // 505: an HTTP version Tomcat does not speak; 501: a transfer coding it does not know,
            // or CONNECT. Both are requests refused, not server failures: a 5xx would page an
            // operator for a client's bytes.
            status = "CONNECT".equals(request.getMethod()) ? 405 : 400;
            response.setStatus(status);
            if (status == 405) {
                response.setHeader("Allow", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
            }
        }
        String title = switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            default -> status < 500 ? "Client Error" : "Server Error";
        };
        String detail = status < 500 ? "the HTTP server refused this request as malformed or unsupported"
                : serverFailure;
        String body = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("utf-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile: nothing left to tell it
        }
    }
}
