-- Issue 11 item 5: an app's own time between SIGTERM and SIGKILL when one of its instances
-- stops (0: the node agent's default).
alter table app add column stop_grace_seconds int default 0 not null;
