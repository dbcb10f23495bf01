package io.atoll.platform.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads the audit log newest first, a page at a time, by app, actor and time. */
@Component
class AuditQuery {

    private final JdbcClient jdbc;

    AuditQuery(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param before only events older than this id (the cursor of the next page), or null
     * @param limit at most this many
     */
    List<AuditEvent> find(String app, String actor, Instant since, Long before, int limit) {
        // conditions are added only when given: PostgreSQL cannot type a null parameter in ':x is null'
        List<String> where = new ArrayList<>();
        var params = new java.util.LinkedHashMap<String, Object>();
        if (app != null) {
            where.add("app = :app");
            params.put("app", app);
        }
        if (actor != null) {
            where.add("actor = :actor");
            params.put("actor", actor);
        }
        if (since != null) {
            where.add("at >= :since");
            params.put("since", java.sql.Timestamp.from(since));
        }
        if (before != null) {
            where.add("id < :before");
            params.put("before", before);
        }
        params.put("limit", limit);
        String sql = "select * from audit_event" + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by id desc limit :limit";
        return jdbc.sql(sql).params(params).query(AuditEvent.class).list();
    }
}
