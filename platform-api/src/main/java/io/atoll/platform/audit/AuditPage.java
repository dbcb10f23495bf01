package io.atoll.platform.audit;

import java.util.List;

/**
 * A page of the audit log, newest first.
 *
 * @param next the URL of the next (older) page, or null when this is the last
 */
public record AuditPage(List<AuditEvent> events, String next) {
}
