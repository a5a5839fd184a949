-- Session, transaction and utility statements as drivers and tools send them.
-- kind: ext.begin
BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE
-- kind: ext.begin
START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE
-- kind: ext.set_transaction
SET TRANSACTION READ ONLY
-- kind: ext.set_transaction
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE
-- kind: ext.commit
COMMIT AND CHAIN
-- kind: ext.rollback
ABORT
-- kind: ext.set
SET application_name = 'psql'
-- kind: ext.set
SET datestyle TO ISO, MDY
-- kind: ext.set
SET extra_float_digits = 3
-- kind: ext.set
SET statement_timeout = 0
-- kind: ext.set
SET search_path = "$user", public
-- kind: ext.set
SET NAMES 'UTF8'
-- kind: ext.set
SET work_mem TO DEFAULT
-- kind: ext.show
SHOW server_version
-- kind: ext.show
SHOW ALL
-- kind: ext.show
SHOW TIME ZONE
-- kind: ext.reset
RESET statement_timeout
-- kind: ext.reset
RESET ALL
-- kind: ext.discard
DISCARD ALL
-- kind: ext.discard
DISCARD PLANS
-- kind: ext.listen
LISTEN orders_changed
-- kind: ext.notify
NOTIFY orders_changed, '{"id": 42}'
-- kind: ext.notify
NOTIFY "Orders"
-- kind: ext.unlisten
UNLISTEN *
-- kind: ext.prepare
PREPARE get_order (bigint) AS SELECT * FROM orders WHERE id = $1
-- kind: ext.prepare
PREPARE ins (text, numeric) AS INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id
-- kind: ext.execute
EXECUTE get_order(42)
-- kind: ext.execute
EXECUTE ins('x', 1.5)
-- kind: ext.deallocate
DEALLOCATE get_order
-- kind: ext.deallocate
DEALLOCATE PREPARE ALL
-- kind: ext.explain
EXPLAIN SELECT * FROM orders WHERE id = 1
-- kind: ext.explain
EXPLAIN ANALYZE VERBOSE SELECT count(*) FROM orders
-- kind: ext.explain
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) UPDATE orders SET total = 0 WHERE id = 3
-- kind: ext.vacuum
VACUUM
-- kind: ext.vacuum
VACUUM FULL VERBOSE orders
-- kind: ext.vacuum
VACUUM (ANALYZE, SKIP_LOCKED true) orders (total), customers
-- kind: ext.analyze
ANALYZE orders
-- kind: ext.analyze
ANALYZE VERBOSE
-- kind: ext.copy
COPY orders (id, total) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ',', NULL '', QUOTE '"')
-- kind: ext.copy
COPY orders FROM stdin CSV HEADER
-- kind: ext.copy
COPY orders TO STDOUT WITH (FORMAT binary)
-- kind: ext.copy
COPY (SELECT id, total FROM orders WHERE total > 100 ORDER BY id) TO STDOUT WITH CSV HEADER FORCE QUOTE *
-- kind: ext.copy
COPY orders FROM '/srv/data/orders.tsv' WITH DELIMITER E'\t' NULL AS '\N'
-- kind: ext.copy
COPY orders FROM STDIN WITH (FORMAT text, FREEZE) WHERE total > 0
-- kind: select
SELECT $$dollar 'quoted' text$$, $tag$nested $$ inside$tag$, E'line\nbreak\x41', B'1010', X'1F', U&'\0041'
-- kind: select
SELECT /* nested /* comment */ still comment */ 1 -- trailing
-- kind: select
SELECT 'multi'
  'line' AS continued
-- kind: select
SELECT * FROM a NATURAL JOIN b NATURAL FULL OUTER JOIN c
-- kind: select
SELECT x FROM t WHERE x SIMILAR TO '(a|b)%' AND y NOT SIMILAR TO 'c_'
-- kind: select
SELECT sum(v) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), avg(v) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM t
-- kind: ext.set_operation
(SELECT a FROM t1 EXCEPT ALL SELECT a FROM t2) UNION SELECT a FROM t3 ORDER BY a DESC LIMIT 10 OFFSET 2
-- kind: select
SELECT a FROM t WHERE b IS DISTINCT FROM c AND d IS NOT DISTINCT FROM NULL
-- kind: select
SELECT name COLLATE "C" FROM t ORDER BY lower(name) COLLATE "en_US"
-- kind: ext.set_constraints
SET CONSTRAINTS ALL DEFERRED
-- kind: ext.checkpoint
CHECKPOINT
-- kind: select
SELECT trim(leading '0' from code), trim(trailing from name) FROM t
