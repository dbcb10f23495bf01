package io.atoll.platform.certificates;

import io.atoll.json.JsonCodec;
import io.atoll.model.HostCertificate;
import io.atoll.model.KeyEnvelope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code app_certificate}: one row per host, the key sealed. */
@Repository
class CertificateRepository {

    /** A stored row: what the gateway gets, plus what only the API shows. */
    record Row(HostCertificate value, String subject, String issuer, String uploadedBy) {
    }

    private final JdbcClient jdbc;
    private final JsonCodec codec = JsonCodec.shared();

    CertificateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Row> findByApp(String app) {
        return jdbc.sql("select * from app_certificate where app = :app order by host").param("app", app)
                .query(this::row).list();
    }

    List<Row> findAll() {
        return jdbc.sql("select * from app_certificate order by host").query(this::row).list();
    }

    void save(Row row) {
        HostCertificate value = row.value();
        jdbc.sql("delete from app_certificate where host = :host").param("host", value.host()).update();
        jdbc.sql("""
                insert into app_certificate (host, app, chain_pem, key_envelope, fingerprint, subject, issuer,
                    not_before, not_after, redirect_https, hsts_max_age_seconds, uploaded_at, uploaded_by)
                values (:host, :app, :chain, :key, :fingerprint, :subject, :issuer,
                    :notBefore, :notAfter, :redirect, :hsts, :uploadedAt, :uploadedBy)""")
                .param("host", value.host())
                .param("app", value.app())
                .param("chain", value.chainPem())
                .param("key", codec.encodeToString(value.key()))
                .param("fingerprint", value.fingerprint())
                .param("subject", row.subject())
                .param("issuer", row.issuer())
                .param("notBefore", Timestamp.from(value.notBefore()))
                .param("notAfter", Timestamp.from(value.notAfter()))
                .param("redirect", value.redirectHttps())
                .param("hsts", value.hstsMaxAgeSeconds())
                .param("uploadedAt", new Timestamp(value.version()))
                .param("uploadedBy", row.uploadedBy())
                .update();
    }

    int delete(String app, String host) {
        return jdbc.sql("delete from app_certificate where app = :app and host = :host")
                .param("app", app).param("host", host).update();
    }

    int deleteAll(String app) {
        return jdbc.sql("delete from app_certificate where app = :app").param("app", app).update();
    }

    private Row row(ResultSet rs, int rowNum) throws SQLException {
        HostCertificate value = new HostCertificate(rs.getString("app"), rs.getString("host"), rs.getString("chain_pem"),
                codec.decode(rs.getString("key_envelope").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        KeyEnvelope.class),
                rs.getTimestamp("not_before").toInstant(), rs.getTimestamp("not_after").toInstant(),
                rs.getString("fingerprint"), rs.getBoolean("redirect_https"), rs.getLong("hsts_max_age_seconds"),
                rs.getTimestamp("uploaded_at").getTime());
        return new Row(value, rs.getString("subject"), rs.getString("issuer"), rs.getString("uploaded_by"));
    }
}
