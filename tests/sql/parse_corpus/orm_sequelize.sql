-- Sequelize style: quoted identifiers, literal values inlined, RETURNING *.
-- kind: create table
CREATE TABLE IF NOT EXISTS "Users" ("id"   SERIAL , "firstName" VARCHAR(255), "lastName" VARCHAR(255), "email" VARCHAR(255) NOT NULL UNIQUE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"));
-- kind: select
SELECT i.relname AS name, ix.indisprimary AS primary, ix.indisunique AS unique, ix.indkey AS indkey, array_agg(a.attnum) as column_indexes, array_agg(a.attname) AS column_names, pg_get_indexdef(ix.indexrelid) AS definition FROM pg_class t, pg_class i, pg_index ix, pg_attribute a WHERE t.oid = ix.indrelid AND i.oid = ix.indexrelid AND a.attrelid = t.oid AND t.relkind = 'r' and t.relname = 'Users' GROUP BY i.relname, ix.indexrelid, ix.indisprimary, ix.indisunique, ix.indkey ORDER BY i.relname;
-- kind: select
SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'Users'
-- kind: insert
INSERT INTO "Users" ("id","firstName","lastName","email","createdAt","updatedAt") VALUES (DEFAULT,'Ada','Lovelace','ada@example.com','2024-01-02 10:11:12.345 +00:00','2024-01-02 10:11:12.345 +00:00') RETURNING "id","firstName","lastName","email","createdAt","updatedAt";
-- kind: select
SELECT "id", "firstName", "lastName", "email", "createdAt", "updatedAt" FROM "Users" AS "User" WHERE "User"."id" = 1;
-- kind: select
SELECT "id", "firstName" FROM "Users" AS "User" WHERE "User"."email" = 'ada@example.com' LIMIT 1;
-- kind: update
UPDATE "Users" SET "lastName"='Byron',"updatedAt"='2024-01-03 08:00:00.000 +00:00' WHERE "id" = 1
-- kind: delete
DELETE FROM "Users" WHERE "id" = 1
-- kind: select
SELECT count(*) AS "count" FROM "Users" AS "User";
-- kind: select
SELECT "User"."id", "User"."firstName", "Posts"."id" AS "Posts.id", "Posts"."title" AS "Posts.title" FROM "Users" AS "User" LEFT OUTER JOIN "Posts" AS "Posts" ON "User"."id" = "Posts"."UserId" WHERE "User"."id" = 1;
-- kind: select
SELECT "id", "firstName" FROM "Users" AS "User" WHERE ("User"."firstName" ILIKE '%ad%' OR "User"."lastName" ILIKE '%ad%') ORDER BY "User"."createdAt" DESC LIMIT 10 OFFSET 20;
-- kind: select
SELECT "id" FROM "Users" AS "User" WHERE "User"."id" IN (1, 2, 3) AND "User"."deletedAt" IS NULL;
-- kind: ext.begin
START TRANSACTION;
-- kind: ext.savepoint
SAVEPOINT "sequelize-savepoint-1";
-- kind: ext.rollback_to_savepoint
ROLLBACK TO SAVEPOINT "sequelize-savepoint-1";
-- kind: ext.commit
COMMIT;
-- kind: ext.set_transaction
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
-- kind: insert
INSERT INTO "Users" ("id","firstName","email","createdAt","updatedAt") VALUES (DEFAULT,'A','a@x.io','2024-01-01 00:00:00.000 +00:00','2024-01-01 00:00:00.000 +00:00'),(DEFAULT,'B','b@x.io','2024-01-01 00:00:00.000 +00:00','2024-01-01 00:00:00.000 +00:00') RETURNING "id";
-- kind: insert
INSERT INTO "Users" ("email","firstName","createdAt","updatedAt") VALUES ('c@x.io','C','2024-01-01 00:00:00.000 +00:00','2024-01-01 00:00:00.000 +00:00') ON CONFLICT ("email") DO UPDATE SET "firstName"=EXCLUDED."firstName","updatedAt"=EXCLUDED."updatedAt" RETURNING "id","email";
-- kind: select
SELECT "Post"."UserId", count("Post"."id") AS "count" FROM "Posts" AS "Post" GROUP BY "UserId" HAVING count("Post"."id") > 2;
-- kind: drop table
DROP TABLE IF EXISTS "Posts" CASCADE;
-- kind: select
SELECT pk.constraint_type as "Constraint",c.column_name as "Field", c.column_default as "Default",c.is_nullable as "Null", (CASE WHEN c.udt_name = 'hstore' THEN c.udt_name ELSE c.data_type END) || (CASE WHEN c.character_maximum_length IS NOT NULL THEN '(' || c.character_maximum_length || ')' ELSE '' END) as "Type", (SELECT array_agg(e.enumlabel) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON t.oid=e.enumtypid WHERE t.typname=c.udt_name) AS "special", (SELECT pgd.description FROM pg_catalog.pg_statio_all_tables AS st INNER JOIN pg_catalog.pg_description pgd on (pgd.objoid=st.relid) WHERE c.ordinal_position=pgd.objsubid AND c.table_name=st.relname) AS "Comment" FROM information_schema.columns c LEFT JOIN (SELECT tc.table_schema, tc.table_name, cu.column_name, tc.constraint_type FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.KEY_COLUMN_USAGE  cu ON tc.table_schema=cu.table_schema and tc.table_name=cu.table_name and tc.constraint_name=cu.constraint_name and tc.constraint_type='PRIMARY KEY') pk ON pk.table_schema=c.table_schema AND pk.table_name=c.table_name AND pk.column_name=c.column_name WHERE c.table_name = 'Users' AND c.table_schema = 'public'
-- kind: alter table
ALTER TABLE "public"."Users" ALTER COLUMN "lastName" SET NOT NULL;
-- kind: alter table
ALTER TABLE "public"."Users" ADD COLUMN "nickname" VARCHAR(64);
-- kind: alter table
ALTER TABLE "public"."Users" RENAME COLUMN "nickname" TO "alias";
