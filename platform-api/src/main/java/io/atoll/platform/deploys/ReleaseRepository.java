package io.atoll.platform.deploys;

import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface ReleaseRepository extends ListCrudRepository<Release, String> {

    @Query("select coalesce(max(number), 0) from app_release where app = :app")
    int maxNumber(String app);

    /** The release of the app's latest successful deploy: what is serving. */
    @Query("""
            select r.* from app_release r join deploy d on d.release_id = r.id
            where d.app = :app and d.status = 'SUCCEEDED'
            order by d.updated_at desc limit 1""")
    Optional<Release> findCurrent(String app);
}
