-- Desired state lives here; ZooKeeper holds a copy that can always be rebuilt from it.
create table app (
    name           varchar(63)   not null primary key,
    hosts          varchar(4000) not null,
    container_port int           not null,
    health_path    varchar(255)  not null,
    created_at     timestamp with time zone not null,
    version        int           not null
);

create table app_release (
    id           varchar(80)  not null primary key,
    app          varchar(63)  not null references app (name),
    number       int          not null,
    image        varchar(512) not null,
    pinned_image varchar(512) not null,
    created_at   timestamp with time zone not null,
    version      int          not null,
    constraint app_release_number unique (app, number)
);

create table deploy (
    id         varchar(36)   not null primary key,
    app        varchar(63)   not null references app (name),
    image      varchar(512)  not null,
    instances  int           not null,
    release_id varchar(80),
    status     varchar(16)   not null,
    reason     varchar(4000),
    created_at timestamp with time zone not null,
    updated_at timestamp with time zone not null,
    version    int           not null
);
create index deploy_app on deploy (app, created_at);

create table desired_instance (
    instance_id varchar(160) not null primary key,
    app         varchar(63)  not null references app (name),
    release_id  varchar(80)  not null references app_release (id),
    node_id     varchar(255) not null,
    memory_mb   bigint       not null,
    cpu_shares  bigint       not null,
    draining    boolean      not null,
    created_at  timestamp with time zone not null,
    version     int          not null
);
create index desired_instance_app on desired_instance (app);
