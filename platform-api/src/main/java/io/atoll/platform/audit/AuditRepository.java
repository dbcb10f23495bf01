package io.atoll.platform.audit;

import org.springframework.data.repository.Repository;

/** Append-only: the platform can add an event and nothing else (no update, no delete). */
interface AuditRepository extends Repository<AuditEvent, Long> {

    AuditEvent save(AuditEvent event);
}
