-- DDL with constraints, defaults, identity columns, indexes, and schema objects.
-- kind: create schema
CREATE SCHEMA IF NOT EXISTS shop
-- kind: create table
CREATE TABLE shop.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL CHECK (length(name) > 0),
  balance numeric(12, 2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
)
-- kind: create table
CREATE TABLE shop.orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'new',
  total numeric(12, 2),
  note varchar(200),
  CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'shipped', 'cancelled'))
)
-- kind: create table
CREATE TABLE shop.order_items (
  order_id bigint NOT NULL,
  line_no int NOT NULL,
  sku text NOT NULL,
  qty int NOT NULL DEFAULT 1,
  price numeric(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no),
  FOREIGN KEY (order_id) REFERENCES shop.orders (id) ON DELETE CASCADE ON UPDATE RESTRICT,
  UNIQUE (order_id, sku)
)
-- kind: create table
CREATE TEMP TABLE scratch (k text PRIMARY KEY, v jsonb)
-- kind: create table
CREATE TABLE IF NOT EXISTS events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), kind text NOT NULL, payload jsonb NOT NULL DEFAULT '{}'::jsonb, at timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP)
-- kind: ext.create_table
CREATE TABLE audit (id serial PRIMARY KEY, msg text) WITH (fillfactor = 70, autovacuum_enabled = false)
-- kind: create index
CREATE INDEX orders_customer_idx ON shop.orders (customer_id)
-- kind: create index
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS customers_lower_email ON shop.customers (lower(email))
-- kind: create index
CREATE INDEX events_kind_at ON events USING btree (kind, at DESC NULLS LAST) WHERE kind <> 'debug'
-- kind: create index
CREATE INDEX events_payload_gin ON events USING gin (payload)
-- kind: alter table
ALTER TABLE shop.orders ADD COLUMN shipped_at timestamptz
-- kind: alter table
ALTER TABLE shop.orders ALTER COLUMN note TYPE text
-- kind: alter table
ALTER TABLE shop.orders DROP COLUMN IF EXISTS note
-- kind: alter table
ALTER TABLE shop.orders RENAME TO purchase_orders
-- kind: alter table
ALTER TABLE shop.customers ADD CONSTRAINT customers_email_check CHECK (email LIKE '%@%')
-- kind: alter table
ALTER TABLE shop.customers DROP CONSTRAINT customers_email_check
-- kind: alter table
ALTER TABLE shop.customers ALTER COLUMN balance DROP DEFAULT
-- kind: alter table
ALTER TABLE shop.customers OWNER TO app_owner
-- kind: create sequence
CREATE SEQUENCE invoice_no START 1000 INCREMENT 1 CACHE 1
-- kind: alter sequence
ALTER SEQUENCE invoice_no RESTART WITH 5000
-- kind: create view
CREATE VIEW shop.big_orders AS SELECT id, total FROM shop.orders WHERE total > 1000
-- kind: create view
CREATE OR REPLACE VIEW shop.open_orders AS SELECT * FROM shop.orders WHERE status <> 'shipped'
-- kind: create materialized view
CREATE MATERIALIZED VIEW shop.daily AS SELECT date_trunc('day', created_at) AS d, count(*) AS n FROM shop.customers GROUP BY 1
-- kind: refresh materialized view
REFRESH MATERIALIZED VIEW shop.daily
-- kind: ext.drop
DROP MATERIALIZED VIEW IF EXISTS shop.daily
-- kind: ext.drop
DROP VIEW shop.big_orders, shop.open_orders CASCADE
-- kind: ext.drop
DROP SCHEMA shop CASCADE
-- kind: drop index
DROP INDEX CONCURRENTLY IF EXISTS events_kind_at
-- kind: drop table
DROP TABLE scratch
-- kind: create enum
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')
-- kind: drop type
DROP TYPE mood
-- kind: create extension
CREATE EXTENSION IF NOT EXISTS postgres_fdw
-- kind: ext.drop
DROP EXTENSION IF EXISTS postgres_fdw
-- kind: comment
COMMENT ON TABLE events IS 'Application events'
-- kind: ext.create_server
CREATE SERVER IF NOT EXISTS remote_pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '5432', dbname 'app')
-- kind: ext.create_user_mapping
CREATE USER MAPPING FOR PUBLIC SERVER remote_pg OPTIONS (user 'reader', password 'secret')
-- kind: ext.create_foreign_table
CREATE FOREIGN TABLE remote_users (id int NOT NULL, name text OPTIONS (column_name 'full_name')) SERVER remote_pg OPTIONS (schema_name 'public', table_name 'users')
-- kind: ext.import_foreign_schema
IMPORT FOREIGN SCHEMA public EXCEPT (secrets) FROM SERVER remote_pg INTO staging OPTIONS (import_default 'true')
-- kind: ext.drop
DROP SERVER IF EXISTS remote_pg CASCADE
-- kind: ext.create_role
CREATE ROLE app_owner WITH LOGIN PASSWORD 'pw' CREATEDB NOSUPERUSER CONNECTION LIMIT 20 VALID UNTIL '2030-01-01'
-- kind: ext.create_role
CREATE USER reader WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:abc' IN ROLE readers
-- kind: ext.alter_role
ALTER ROLE reader SET search_path TO shop, public
-- kind: ext.alter_role
ALTER USER reader RENAME TO analyst
-- kind: ext.drop_role
DROP USER IF EXISTS analyst
-- kind: ext.grant
GRANT SELECT, UPDATE (balance) ON shop.customers TO app_owner, readers
-- kind: ext.grant
GRANT USAGE ON SCHEMA shop TO PUBLIC
-- kind: ext.grant
GRANT EXECUTE ON FUNCTION shop.total(bigint) TO readers
-- kind: ext.revoke
REVOKE GRANT OPTION FOR ALL PRIVILEGES ON ALL TABLES IN SCHEMA shop FROM readers CASCADE
-- kind: ext.grant_role
GRANT readers TO app_owner WITH ADMIN OPTION
-- kind: ext.revoke_role
REVOKE readers FROM app_owner
-- kind: ext.create_table_as
CREATE TABLE order_totals AS SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id
-- kind: ext.create_table
CREATE TEMPORARY TABLE staging_rows (id int, payload text) ON COMMIT DELETE ROWS
-- kind: ext.lock
LOCK TABLE shop.orders IN SHARE ROW EXCLUSIVE MODE
