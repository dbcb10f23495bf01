package io.atoll.build.image;

/** The image could not be assembled or pushed, for a reason a user should read (no credentials in it). */
public class ImageException extends Exception {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
