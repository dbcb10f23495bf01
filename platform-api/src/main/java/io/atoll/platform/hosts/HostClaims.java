package io.atoll.platform.hosts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Who owns which host, in SQL ({@code app_host}, one row per host, the host its primary key).
 * Overlaps a unique key cannot see ({@code *.example.com} against {@code a.example.com}) are
 * checked under {@link #lock()}, a row lock every claiming transaction takes first, so two
 * replicas or two requests cannot both pass the check; the key stays as the last word.
 */
@Repository
public class HostClaims {

    /** A host and the app that owns it. */
    public record Claim(String host, String app) {
    }

    private final JdbcClient jdbc;

    HostClaims(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises claims until the caller's transaction ends; call inside one. */
    public void lock() {
        jdbc.sql("select id from host_claim_lock where id = 1 for update").query(Integer.class).single();
    }

    /** Every claim, of any app, that some request host could match together with {@code host}. */
    public List<Claim> overlapping(HostName host) {
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(host.name());
        String suffix = host.suffix();
        for (String above = host.wildcard() ? suffix : parent(suffix); above != null; above = parent(above)) {
            candidates.add("*." + above);
        }
        // names never hold '%' or '_' (HostPolicy), so the pattern is literal
        List<Claim> found = jdbc.sql(host.wildcard()
                        ? "select host, app from app_host where host in (:candidates) or host like :below"
                        : "select host, app from app_host where host in (:candidates)")
                .param("candidates", candidates)
                .param("below", "%." + suffix)
                .query(Claim.class)
                .list();
        List<Claim> overlapping = new ArrayList<>();
        for (Claim claim : found) {
            if (parse(claim.host()).overlaps(host)) {
                overlapping.add(claim);
            }
        }
        return overlapping;
    }

    /** The claims that match {@code exactHost}: the exact name and every wildcard above it. */
    public List<Claim> matching(String exactHost) {
        return overlapping(new HostName(exactHost, false));
    }

    public void claim(String app, List<HostName> hosts) {
        for (HostName host : hosts) {
            jdbc.sql("insert into app_host (host, app) values (:host, :app)")
                    .param("host", host.name())
                    .param("app", app)
                    .update();
        }
    }

    static HostName parse(String stored) {
        return stored.startsWith("*.") ? new HostName(stored, true) : new HostName(stored, false);
    }

    private static String parent(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? null : name.substring(dot + 1);
    }
}
