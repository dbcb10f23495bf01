package io.atoll.registry.storage;

/** The backend failed (I/O, permissions, full disk): a server fault, never the client's. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
