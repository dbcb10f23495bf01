-- A host (exact or '*.suffix') belongs to one app: the primary key refuses a second claim of the
-- same name. Overlaps the key cannot see (a wildcard over another app's host) are checked by
-- platform-api while it holds the row lock below, taken first by every transaction that claims.
create table app_host (
    host varchar(253) not null primary key,
    app  varchar(63)  not null references app (name)
);
create index app_host_app on app_host (app);

create table host_claim_lock (
    id int not null primary key
);
insert into host_claim_lock (id) values (1);
