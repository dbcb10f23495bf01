package io.atoll.platform.deploys;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An immutable release: the image as asked for and as pinned by digest, numbered per app.
 */
@Table("app_release")
public record Release(@Id String id, String app, int number, String image, String pinnedImage, Instant createdAt,
        @Version Integer version) {

    static Release create(String app, int number, String image, String pinnedImage, Instant now) {
        return new Release(app + "-r" + number, app, number, image, pinnedImage, now, null);
    }
}
