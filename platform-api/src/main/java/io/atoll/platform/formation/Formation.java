package io.atoll.platform.formation;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * What an app should run when no deploy is changing it: the serving release and how many
 * instances of it. The scheduler converges the cluster to this.
 *
 * @param releaseId null until a deploy has succeeded
 */
@Table("formation")
public record Formation(@Id String app, String releaseId, int instances, @Version Integer version) {

    public static Formation empty(String app) {
        return new Formation(app, null, 0, null);
    }

    public Formation serving(String newReleaseId, int newInstances) {
        return new Formation(app, newReleaseId, newInstances, version);
    }
}
