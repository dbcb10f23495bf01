package io.atoll.build.log;

import java.io.IOException;

/** The archive could not be reached or refused a request: worth trying again, unlike a local file's error. */
public class LogArchiveException extends IOException {

    LogArchiveException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
