package io.atoll.platform.deploys;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface DeployRepository extends ListCrudRepository<Deploy, String> {

    @Query("select * from deploy where status in ('PENDING', 'RUNNING', 'CANARY', 'ROLLING_BACK')")
    List<Deploy> findUnfinished();

    /** The app's deploy in progress; at most one (DeployService refuses a second under the app's row lock). */
    @Query("select * from deploy where app = :app and status in ('PENDING', 'RUNNING', 'CANARY', 'ROLLING_BACK') "
            + "order by created_at limit 1")
    Optional<Deploy> findActive(String app);

    @Query("select * from deploy where app = :app order by created_at desc")
    List<Deploy> findByApp(String app);
}
