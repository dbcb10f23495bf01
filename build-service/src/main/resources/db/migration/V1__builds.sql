-- Build records (docs/build-service.md). A build's row changes only by conditional updates on its
-- status, so the queue's transitions cannot race one another.
create table build (
    id             varchar(36)   not null primary key,
    app            varchar(63)   not null,
    source_kind    varchar(16)   not null,
    repository     varchar(2048),
    ref            varchar(255),
    commit_sha     varchar(64),
    status         varchar(16)   not null,
    current_step   varchar(64),
    failed_step    varchar(64),
    reason         varchar(4000),
    image_digest   varchar(100),
    trigger_kind   varchar(16)   not null,
    triggered_by   varchar(255),
    delivery_id    varchar(255),
    superseded_by  varchar(36),
    created_at     timestamp with time zone not null,
    started_at     timestamp with time zone,
    finished_at    timestamp with time zone,
    version        int           not null
);
create index build_app on build (app, created_at);
create index build_status on build (status, created_at);

create table build_step (
    id          varchar(36) not null primary key,
    build_id    varchar(36) not null references build (id),
    name        varchar(64) not null,
    duration_ms bigint      not null,
    finished_at timestamp with time zone not null,
    version     int         not null
);
create index build_step_build on build_step (build_id, finished_at);

-- Verified webhook deliveries: a second one with the same id is a replay.
create table hook_delivery (
    kind        varchar(16)  not null,
    delivery_id varchar(255) not null,
    app         varchar(63)  not null,
    received_at timestamp with time zone not null,
    primary key (kind, delivery_id)
);
create index hook_delivery_received on hook_delivery (received_at);
