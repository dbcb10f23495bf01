package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that counts what it delivers and reports a client that broke off mid-body as
 * a client error. Its failures are unchecked, so storage can treat every IOException it sees
 * as its own (disk) fault.
 */
final class MeteredBody extends FilterInputStream {

    private final TransferMetrics metrics;

    MeteredBody(InputStream in, TransferMetrics metrics) {
        super(in);
        this.metrics = metrics;
    }

    @Override
    public int read() {
        try {
            int b = super.read();
            if (b >= 0) {
                metrics.received(1);
            }
            return b;
        } catch (IOException e) {
            throw broken(e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        try {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                metrics.received(n);
            }
            return n;
        } catch (IOException e) {
            throw broken(e);
        }
    }

    private static RegistryException broken(IOException e) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "request body could not be read: " + e.getMessage());
    }
}
