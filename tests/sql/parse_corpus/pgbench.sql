-- pgbench: the statements of `pgbench -i` and of its built-in scripts, as pgbench sends them.
-- kind: select
select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1
-- kind: drop table
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers
-- kind: create table
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))
-- kind: ext.create_table
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)
-- kind: ext.create_table
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)
-- kind: ext.create_table
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)
-- kind: ext.create_table
create unlogged table pgbench_accounts(aid bigint not null,bid int,abalance int,filler char(84)) with (fillfactor=90)
-- kind: ext.begin
begin
-- kind: truncate table
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers
-- kind: insert
insert into pgbench_branches(bid,bbalance) values(1,0)
-- kind: insert
insert into pgbench_tellers(tid,bid,tbalance) values (7,1,0)
-- kind: ext.copy
copy pgbench_accounts from stdin with (freeze on)
-- kind: ext.copy
copy pgbench_accounts from stdin
-- kind: ext.copy
copy pgbench_branches from stdin with (freeze on)
-- kind: ext.commit
commit
-- kind: insert
insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 10) as bid
-- kind: insert
insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 100) as tid
-- kind: insert
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 1000000) as aid
-- kind: ext.vacuum
vacuum analyze pgbench_branches
-- kind: ext.vacuum
vacuum analyze pgbench_tellers
-- kind: ext.vacuum
vacuum analyze pgbench_accounts
-- kind: ext.vacuum
vacuum analyze pgbench_history
-- kind: alter table
alter table pgbench_branches add primary key (bid)
-- kind: alter table
alter table pgbench_tellers add primary key (tid)
-- kind: alter table
alter table pgbench_accounts add primary key (aid)
-- kind: alter table
alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches
-- kind: alter table
alter table pgbench_accounts add constraint pgbench_accounts_bid_fkey foreign key (bid) references pgbench_branches
-- kind: alter table
alter table pgbench_history add constraint pgbench_history_tid_fkey foreign key (tid) references pgbench_tellers
-- kind: select
select count(*) from pgbench_branches
-- kind: ext.vacuum
vacuum pgbench_branches
-- kind: truncate table
truncate pgbench_history
-- kind: ext.begin
BEGIN;
-- kind: update
UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 55123;
-- kind: select
SELECT abalance FROM pgbench_accounts WHERE aid = 55123;
-- kind: update
UPDATE pgbench_tellers SET tbalance = tbalance + -4321 WHERE tid = 7;
-- kind: update
UPDATE pgbench_branches SET bbalance = bbalance + -4321 WHERE bid = 1;
-- kind: insert
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 55123, -4321, CURRENT_TIMESTAMP);
-- kind: ext.commit
END;
-- kind: select
SELECT abalance FROM pgbench_accounts WHERE aid = 12345;
-- kind: update
UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2
-- kind: select
SELECT abalance FROM pgbench_accounts WHERE aid = $1
-- kind: insert
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)
