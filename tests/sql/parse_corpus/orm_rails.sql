-- Rails / ActiveRecord style: "table"."column", $n binds, schema_migrations and ar_internal_metadata.
-- kind: create table
CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY)
-- kind: create table
CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- kind: select
SELECT "schema_migrations"."version" FROM "schema_migrations" ORDER BY "schema_migrations"."version" ASC
-- kind: select
SELECT "ar_internal_metadata"."value" FROM "ar_internal_metadata" WHERE "ar_internal_metadata"."key" = $1 LIMIT $2
-- kind: create table
CREATE TABLE "articles" ("id" bigserial primary key, "title" character varying, "body" text, "status" integer DEFAULT 0 NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
-- kind: create table
CREATE TABLE "comments" ("id" bigserial primary key, "commenter" character varying, "body" text, "article_id" bigint NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL, CONSTRAINT "fk_rails_3bf61a60d3" FOREIGN KEY ("article_id") REFERENCES "articles" ("id"))
-- kind: create index
CREATE INDEX "index_comments_on_article_id" ON "comments" ("article_id")
-- kind: insert
INSERT INTO "schema_migrations" ("version") VALUES ($1) RETURNING "version"
-- kind: select
SELECT "articles".* FROM "articles" WHERE "articles"."id" = $1 LIMIT $2
-- kind: select
SELECT "articles".* FROM "articles" ORDER BY "articles"."created_at" DESC LIMIT $1 OFFSET $2
-- kind: select
SELECT "comments".* FROM "comments" WHERE "comments"."article_id" = $1
-- kind: select
SELECT COUNT(*) FROM "comments" WHERE "comments"."article_id" = $1
-- kind: insert
INSERT INTO "articles" ("title", "body", "created_at", "updated_at") VALUES ($1, $2, $3, $4) RETURNING "id"
-- kind: update
UPDATE "articles" SET "title" = $1, "updated_at" = $2 WHERE "articles"."id" = $3
-- kind: delete
DELETE FROM "comments" WHERE "comments"."id" = $1
-- kind: select
SELECT 1 AS one FROM "articles" WHERE "articles"."title" = $1 LIMIT $2
-- kind: select
SELECT "articles".* FROM "articles" WHERE "articles"."status" IN ($1, $2) AND ("articles"."title" ILIKE '%rails%')
-- kind: select
SELECT "articles"."id", "articles"."title", COUNT("comments"."id") AS comments_count FROM "articles" LEFT OUTER JOIN "comments" ON "comments"."article_id" = "articles"."id" GROUP BY "articles"."id" ORDER BY comments_count DESC
-- kind: select
SELECT DISTINCT "articles".* FROM "articles" INNER JOIN "comments" ON "comments"."article_id" = "articles"."id" WHERE "comments"."commenter" = $1
-- kind: ext.begin
BEGIN
-- kind: ext.commit
COMMIT
-- kind: ext.set
SET client_min_messages TO 'warning'
-- kind: ext.set
SET standard_conforming_strings = on
-- kind: ext.set
SET intervalstyle = iso_8601
-- kind: ext.set
SET SESSION timezone TO 'UTC'
-- kind: select
SELECT t.oid, t.typname FROM pg_type as t WHERE t.typname IN ('int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric', 'bool', 'timestamp', 'timestamptz')
-- kind: select
SELECT t.oid, t.typname, t.typelem, t.typdelim, t.typinput, r.rngsubtype, t.typtype, t.typbasetype FROM pg_type as t LEFT JOIN pg_range as r ON oid = rngtypid WHERE t.typtype IN ('r', 'e', 'd') OR t.typinput = 'array_in(cstring,oid,integer)'::regprocedure OR t.typelem != 0
-- kind: select
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid, a.atttypmod, c.collname, col_description(a.attrelid, a.attnum) AS comment FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum LEFT JOIN pg_type t ON a.atttypid = t.oid LEFT JOIN pg_collation c ON a.attcollation = c.oid AND a.attcollation <> t.typcollation WHERE a.attrelid = '"articles"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
-- kind: select
SELECT pg_try_advisory_lock(1553189208236178705)
-- kind: select
SELECT pg_advisory_unlock(1553189208236178705)
