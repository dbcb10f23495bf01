-- Issue 11: named IP groups (CIDRs and ports an app may reach, admin-managed) and the groups each
-- app declares as its dependencies. Both are copied to ZooKeeper (/atoll/ipgroups/{name} and
-- every assignment's dependencies), where the node agents' firewalls read them.
create table ip_group (
    name       varchar(63)   not null primary key,
    cidrs      varchar(8000) not null,
    ports      varchar(2000) not null,
    created_at timestamp     not null,
    updated_at timestamp     not null,
    version    int           not null
);

alter table app add column dependencies varchar(2000) default '' not null;
