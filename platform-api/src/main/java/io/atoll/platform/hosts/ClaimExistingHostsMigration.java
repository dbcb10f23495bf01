package io.atoll.platform.hosts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Fills {@code app_host} from the hosts apps claimed before ownership existed, oldest app first:
 * the first claim of a host keeps it. A host that may no longer be claimed at all (an IP,
 * {@code *.com}, ...) or that another app got first is dropped from the later app, and each drop
 * is logged, so no app can keep routing a host it took from another.
 *
 * <p>A Spring bean rather than a class Flyway finds: the rules need {@link HostPolicy} and its
 * configured default domain.
 */
@Component
class ClaimExistingHostsMigration implements JavaMigration {

    private static final Logger log = LoggerFactory.getLogger(ClaimExistingHostsMigration.class);

    private final HostPolicy policy;

    ClaimExistingHostsMigration(HostPolicy policy) {
        this.policy = policy;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("3");
    }

    @Override
    public String getDescription() {
        return "claim existing hosts";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        Map<String, String> hostsByApp = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("select name, hosts from app order by created_at, name");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                hostsByApp.put(rows.getString(1), rows.getString(2));
            }
        }
        Map<HostName, String> claimed = new LinkedHashMap<>();
        for (var app : hostsByApp.entrySet()) {
            List<String> kept = new ArrayList<>();
            for (String raw : app.getValue().isEmpty() ? new String[0] : app.getValue().split(",")) {
                String refusal = refusal(app.getKey(), raw, claimed, hostsByApp);
                if ("it is listed twice".equals(refusal)) {
                    continue;
                }
                if (refusal != null) {
                    log.warn("App {} loses host '{}': {}", app.getKey(), raw, refusal);
                    continue;
                }
                HostName host = policy.check(raw);
                claimed.put(host, app.getKey());
                kept.add(host.name());
            }
            try (PreparedStatement update = connection.prepareStatement("update app set hosts = ? where name = ?")) {
                update.setString(1, String.join(",", kept));
                update.setString(2, app.getKey());
                update.executeUpdate();
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("insert into app_host (host, app) values (?, ?)")) {
            for (var claim : claimed.entrySet()) {
                insert.setString(1, claim.getKey().name());
                insert.setString(2, claim.getValue());
                insert.executeUpdate();
            }
        }
    }

    private String refusal(String app, String raw, Map<HostName, String> claimed, Map<String, String> apps) {
        HostName host;
        try {
            host = policy.check(raw.toLowerCase(Locale.ROOT));
        } catch (HostPolicy.InvalidHostException e) {
            return "it " + e.getMessage();
        }
        String owner = policy.defaultHostOwner(host).orElse(app);
        if (!owner.equals(app) && apps.containsKey(owner)) {
            return "it is the default host of app " + owner;
        }
        for (var other : claimed.entrySet()) {
            if (other.getValue().equals(app)) {
                if (other.getKey().equals(host)) {
                    return "it is listed twice";
                }
            } else if (other.getKey().overlaps(host)) {
                return "app " + other.getValue() + " claimed '" + other.getKey() + "' first";
            }
        }
        return null;
    }
}
