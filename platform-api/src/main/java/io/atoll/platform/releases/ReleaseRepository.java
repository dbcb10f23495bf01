package io.atoll.platform.releases;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface ReleaseRepository extends ListCrudRepository<Release, String> {

    @Query("select coalesce(max(number), 0) from app_release where app = :app")
    int maxNumber(String app);

    @Query("select * from app_release where app = :app order by number desc")
    List<Release> findByApp(String app);

    /** The head of the app's ledger, without reading the rest of it. */
    @Query("select * from app_release where app = :app order by number desc limit 1")
    Optional<Release> findLatest(String app);

    @Query("select * from app_release where app = :app and number = :number")
    Optional<Release> findByNumber(String app, int number);

    /** The first release of the app with this spec, whose id its instances carry. */
    @Query("select * from app_release where app = :app and spec = :spec order by number limit 1")
    Optional<Release> findFirstWithSpec(String app, String spec);
}
