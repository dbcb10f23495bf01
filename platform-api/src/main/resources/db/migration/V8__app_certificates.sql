-- Issue 14: the certificate served for each host (exact or '*.suffix') an app owns. One row per
-- host; an upload covering several hosts writes several rows with the same chain. The private
-- key is sealed (AES-256-GCM, atoll.platform.certificates.encryption-key) as a JSON envelope, the
-- host bound to it: never stored in clear. Rows go with their app.
create table app_certificate (
    host                 varchar(253)   not null primary key,
    app                  varchar(63)    not null references app (name) on delete cascade,
    chain_pem            varchar(65536) not null,
    key_envelope         varchar(16384) not null,
    fingerprint          varchar(95)    not null,
    subject              varchar(1024)  not null,
    issuer               varchar(1024)  not null,
    not_before           timestamp      not null,
    not_after            timestamp      not null,
    redirect_https       boolean        not null,
    hsts_max_age_seconds bigint         not null,
    uploaded_at          timestamp      not null,
    uploaded_by          varchar(256)   not null
);
create index app_certificate_app on app_certificate (app);
