package io.atoll.agent.health;

/**
 * What one health probe saw.
 *
 * @param detail {@code HTTP 503}, {@code connection refused}, {@code timed out after 1000 ms}, ...
 */
public record ProbeResult(boolean healthy, String detail) {

    static ProbeResult failed(String detail) {
        return new ProbeResult(false, detail);
    }
}
