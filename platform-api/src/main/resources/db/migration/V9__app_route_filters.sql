-- Issue 14 item 3: the Spring Cloud Gateway filters an app's route runs through, as a JSON array
-- of RouteFilter (SCG's own definition syntax); '[]' for the gateway's plain fast path.
alter table app add column route_filters varchar(65536) default '[]' not null;
