package io.atoll.gateway.filter;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * What went wrong talking to an instance, as the client should hear it.
 *
 * @param connectFailed no connection was made (refused or timed out): nothing reached the
 *     instance, so the request may be tried elsewhere
 */
record BackendFailure(HttpStatus status, String detail, boolean connectFailed) {

    static BackendFailure of(Throwable error, String app) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectTimeoutException) {
                return new BackendFailure(HttpStatus.GATEWAY_TIMEOUT,
                        "an instance of app '" + app + "' did not accept the connection in time", true);
            }
            if (cause instanceof ConnectException) {
                return new BackendFailure(HttpStatus.BAD_GATEWAY,
                        "an instance of app '" + app + "' refused the connection", true);
            }
            if (cause instanceof TimeoutException || cause instanceof ReadTimeoutException
                    || (cause instanceof ResponseStatusException rse
                            && rse.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value())) {
                return new BackendFailure(HttpStatus.GATEWAY_TIMEOUT,
                        "an instance of app '" + app + "' did not answer in time", false);
            }
        }
        return new BackendFailure(HttpStatus.BAD_GATEWAY,
                "an instance of app '" + app + "' failed to answer", false);
    }
}
