package io.atoll.platform.tokens;

import java.util.List;
import java.util.Optional;
import java.time.Instant;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface ApiTokenRepository extends ListCrudRepository<ApiToken, String> {

    Optional<ApiToken> findByTokenHash(String tokenHash);

    @Query("select * from api_token where user_name = :userName order by created_at desc")
    List<ApiToken> findByUser(String userName);

    @Query("select * from api_token order by created_at desc")
    List<ApiToken> findAllNewestFirst();

    /** Without the row's version: a use must never collide with a revocation. */
    @Modifying
    @Query("update api_token set last_used_at = :now where id = :id")
    void markUsed(String id, Instant now);

    @Modifying
    @Query("update api_token set revoked_at = :now where id = :id and revoked_at is null")
    int revoke(String id, Instant now);
}
