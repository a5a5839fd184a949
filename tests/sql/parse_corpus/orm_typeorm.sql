-- TypeORM style: "alias"."column" AS "alias_column", $n parameters, metadata queries.
-- kind: select
SELECT * FROM current_schema()
-- kind: select
SELECT version();
-- kind: select
SELECT * FROM "information_schema"."tables" WHERE "table_schema" = 'public' AND "table_name" = 'typeorm_metadata'
-- kind: create table
CREATE TABLE "user" ("id" SERIAL NOT NULL, "firstName" character varying NOT NULL, "lastName" character varying NOT NULL, "age" integer NOT NULL, CONSTRAINT "PK_cace4a159ff9f2512dd42373760" PRIMARY KEY ("id"))
-- kind: create table
CREATE TABLE "photo" ("id" SERIAL NOT NULL, "url" character varying(500) NOT NULL, "views" double precision NOT NULL DEFAULT '0', "isPublished" boolean NOT NULL DEFAULT true, "userId" integer, CONSTRAINT "PK_723fa50bf70dcfd06fb5a44d4ff" PRIMARY KEY ("id"))
-- kind: alter table
ALTER TABLE "photo" ADD CONSTRAINT "FK_4494006ff358f754d07df5ccc87" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE NO ACTION ON UPDATE NO ACTION
-- kind: create table
CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))
-- kind: select
SELECT * FROM "migrations" "migrations" ORDER BY "id" DESC
-- kind: insert
INSERT INTO "migrations"("timestamp", "name") VALUES ($1, $2)
-- kind: insert
INSERT INTO "user"("firstName", "lastName", "age") VALUES ($1, $2, $3) RETURNING "id"
-- kind: select
SELECT "User"."id" AS "User_id", "User"."firstName" AS "User_firstName", "User"."lastName" AS "User_lastName", "User"."age" AS "User_age" FROM "user" "User" WHERE "User"."id" IN ($1)
-- kind: select
SELECT "User"."id" AS "User_id", "User"."firstName" AS "User_firstName" FROM "user" "User" WHERE ("User"."firstName" = $1) LIMIT 1
-- kind: select
SELECT "user"."id" AS "user_id", "photo"."id" AS "photo_id", "photo"."url" AS "photo_url" FROM "user" "user" LEFT JOIN "photo" "photo" ON "photo"."userId"="user"."id" WHERE "user"."firstName" = $1 AND "photo"."isPublished" = $2
-- kind: select
SELECT DISTINCT "distinctAlias"."user_id" AS "ids_user_id" FROM (SELECT "user"."id" AS "user_id", "photo"."id" AS "photo_id" FROM "user" "user" LEFT JOIN "photo" "photo" ON "photo"."userId"="user"."id") "distinctAlias" ORDER BY "user_id" ASC LIMIT 10
-- kind: update
UPDATE "user" SET "age" = $1 WHERE "id" IN ($2)
-- kind: delete
DELETE FROM "photo" WHERE "id" = $1
-- kind: select
SELECT COUNT(DISTINCT("user"."id")) AS "cnt" FROM "user" "user"
-- kind: ext.begin
START TRANSACTION
-- kind: ext.rollback
ROLLBACK
-- kind: ext.savepoint
SAVEPOINT typeorm_1
-- kind: ext.release_savepoint
RELEASE SAVEPOINT typeorm_1
-- kind: select
SELECT "user"."id" AS "user_id" FROM "user" "user" WHERE "user"."id" = $1 FOR UPDATE
-- kind: select
SELECT "photo"."id" AS "photo_id" FROM "photo" "photo" WHERE "photo"."views" > $1 FOR SHARE SKIP LOCKED
-- kind: select
SELECT "user"."id" AS "user_id" FROM "user" "user" WHERE "user"."id" = $1 FOR UPDATE NOWAIT
-- kind: select
SELECT "table_schema", "table_name", obj_description(('"' || "table_schema" || '"."' || "table_name" || '"')::regclass, 'pg_class') AS table_comment FROM "information_schema"."tables" WHERE ("table_schema" = 'public' AND "table_name" = 'user')
-- kind: select
SELECT "e"."enumlabel" AS "value" FROM "pg_enum" "e" INNER JOIN "pg_type" "t" ON "t"."oid" = "e"."enumtypid" INNER JOIN "pg_namespace" "n" ON "n"."oid" = "t"."typnamespace" WHERE "n"."nspname" = 'public' AND "t"."typname" = 'user_role_enum'
-- kind: create enum
CREATE TYPE "public"."user_role_enum" AS ENUM('admin', 'editor', 'ghost')
