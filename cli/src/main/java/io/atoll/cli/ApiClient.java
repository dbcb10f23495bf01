package io.atoll.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;
import tools.jackson.databind.JsonNode;

/**
 * platform-api over HTTP: JSON in and out, the token as a bearer, and every failure turned into
 * a {@link CliException} with its exit code: the API's problem+json detail for a refusal, a plain
 * sentence for a connection that could not be made. Redirects are never followed, so the token
 * goes nowhere but the URL the user logged in to.
 */
final class ApiClient {

    /** An answer in the 2xx range: the body as the API sent it, which {@code --json} prints unchanged. */
    record Response(int status, String body) {

        JsonNode json() {
            return Json.parse(body);
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String USER_AGENT = "atoll-cli/" + Version.text();

    private final ApiUrl url;
    private final String authorization;
    private final String tokenSource;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param authorization the {@code Authorization} header, or null to send none
     * @param tokenSource where the token came from, for the hint of a 401
     * @param timeout how long to wait for an answer's headers
     */
    ApiClient(ApiUrl url, String authorization, String tokenSource, Duration timeout) {
        this.url = url;
        this.authorization = authorization;
        this.tokenSource = tokenSource;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                // SSE and streamed logs are plain HTTP/1.1 chunked responses; no h2c upgrade dance.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    ApiUrl url() {
        return url;
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response send(String method, String path, JsonNode body) {
        HttpRequest.Builder request = request(path).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw refusal(path, response.statusCode(), response.body());
        }
        return new Response(response.statusCode(), response.body());
    }

    /**
     * A response read as it arrives (server-sent events, log lines). The caller closes the stream;
     * a refusal is read whole and thrown. A stream silent for twice the timeout ends (see
     * {@link IdleGuard}), and the followers open it again.
     */
    InputStream stream(String path, String accept, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).header("Accept", accept).GET();
        headers.forEach(request::header);
        HttpResponse<InputStream> response = exchange(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw refusal(path, response.statusCode(), body);
        }
        // silent for twice the answer timeout (the server's heartbeats come every 15 s): a dead connection
        return IdleGuard.wrap(response.body(), timeout.multipliedBy(2));
    }

    /** The sentence for an {@link IOException} met while reading a stream this client opened. */
    CliException lost(IOException e) {
        return new CliException(ExitCodes.CANNOT_CONNECT, "lost the connection to " + url + " (" + describe(e) + ")");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(path))
                .timeout(timeout)
                .header("User-Agent", USER_AGENT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException(ExitCodes.CANNOT_CONNECT, "cannot connect to " + url + ": no connection within "
                    + CONNECT_TIMEOUT.toSeconds() + " s", "is the address right, and the platform up?");
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCodes.CANNOT_CONNECT, "no answer from " + url + " within "
                    + timeout.toSeconds() + " s", "set ATOLL_TIMEOUT (seconds) to wait longer");
        } catch (ConnectException e) {
            boolean unknownHost = false;
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                unknownHost |= cause instanceof UnresolvedAddressException;
            }
            throw new CliException(ExitCodes.CANNOT_CONNECT, "cannot connect to " + url + ": "
                    + (unknownHost ? "unknown host" : "connection refused"),
                    unknownHost ? "check the URL" : "is the platform running? (script/server starts one)");
        } catch (SSLException e) {
            throw new CliException(ExitCodes.CANNOT_CONNECT, "cannot connect to " + url + ": TLS failed ("
                    + describe(e) + ")");
        } catch (IOException e) {
            throw new CliException(ExitCodes.CANNOT_CONNECT, "cannot talk to " + url + " (" + describe(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted");
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "not a request that can be sent: " + e.getMessage());
        }
    }

    /** A non-2xx answer as the user reads it: the problem's detail, its exit code, and what to do. */
    private CliException refusal(String path, int status, String body) {
        JsonNode problem = null;
        try {
            JsonNode parsed = Json.MAPPER.readTree(body == null ? "" : body);
            problem = parsed != null && parsed.isObject() ? parsed : null;
        } catch (RuntimeException e) {
            // not JSON (a proxy's page): the status alone is said
        }
        String detail = problem == null ? null : Json.text(problem, "detail");
        if (detail == null || detail.isBlank()) {
            detail = problem == null ? null : Json.text(problem, "title");
        }
        boolean said = detail != null && !detail.isBlank();
        detail = said ? Terminal.printable(detail) : "HTTP " + status;
        return switch (status) {
            case 401 -> new CliException(ExitCodes.NOT_LOGGED_IN, detail, tokenSource == null
                    ? "run atoll login" : tokenSource + " is not a valid token: run atoll login, or set another");
            case 403 -> new CliException(ExitCodes.FORBIDDEN, detail, path.startsWith("/api/v1/apps/")
                    ? "you are not in the app's team" : "this needs an Atoll admin");
            case 404 -> new CliException(ExitCodes.NOT_FOUND, detail);
            case 409 -> new CliException(ExitCodes.CONFLICT, detail, problem != null && Json.text(problem, "deployId") != null
                    ? "wait for deploy " + Terminal.printable(Json.text(problem, "deployId")) + " to end, then try again"
                    : null);
            default -> new CliException(ExitCodes.ERROR, status < 500 ? detail
                    : "the API failed (HTTP " + status + ")" + (said ? ": " + detail : ""));
        };
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
