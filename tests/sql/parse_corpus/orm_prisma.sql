-- Prisma style: quoted schema-qualified names, $n parameters, LIMIT/OFFSET parameters.
-- kind: create table
CREATE TABLE "public"."User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "name" TEXT, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "role" TEXT NOT NULL DEFAULT 'USER', CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
-- kind: create table
CREATE TABLE "public"."Post" ("id" SERIAL NOT NULL, "title" VARCHAR(255) NOT NULL, "content" TEXT, "published" BOOLEAN NOT NULL DEFAULT false, "authorId" INTEGER NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
-- kind: create index
CREATE UNIQUE INDEX "User_email_key" ON "public"."User"("email");
-- kind: alter table
ALTER TABLE "public"."Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "public"."User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- kind: select
SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name", "public"."User"."createdAt", "public"."User"."role" FROM "public"."User" WHERE "public"."User"."email" = $1 LIMIT $2 OFFSET $3
-- kind: select
SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE 1=1 ORDER BY "public"."User"."id" ASC LIMIT $1 OFFSET $2
-- kind: select
SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."authorId" FROM "public"."Post" WHERE "public"."Post"."authorId" IN ($1,$2,$3) OFFSET $4
-- kind: insert
INSERT INTO "public"."User" ("email","name","createdAt","role") VALUES ($1,$2,$3,$4) RETURNING "public"."User"."id", "public"."User"."email", "public"."User"."name", "public"."User"."createdAt", "public"."User"."role"
-- kind: update
UPDATE "public"."User" SET "name" = $1 WHERE ("public"."User"."id" = $2 AND 1=1) RETURNING "public"."User"."id", "public"."User"."name"
-- kind: delete
DELETE FROM "public"."Post" WHERE ("public"."Post"."id" = $1 AND 1=1) RETURNING "public"."Post"."id"
-- kind: select
SELECT COUNT(*) AS "_count._all" FROM (SELECT "public"."Post"."id" FROM "public"."Post" WHERE "public"."Post"."published" = $1 OFFSET $2) AS "sub"
-- kind: select
SELECT "public"."Post"."id", "public"."Post"."title" FROM "public"."Post" WHERE ("public"."Post"."title" ILIKE $1 OR "public"."Post"."content" ILIKE $2) ORDER BY "public"."Post"."id" DESC LIMIT $3 OFFSET $4
-- kind: select
SELECT "public"."Post"."id" FROM "public"."Post" WHERE "public"."Post"."title"::text LIKE $1 OFFSET $2
-- kind: ext.begin
BEGIN
-- kind: ext.commit
COMMIT
-- kind: select
SELECT 1
-- kind: insert
INSERT INTO "public"."Post" ("title","published","authorId") VALUES ($1,$2,$3), ($4,$5,$6) ON CONFLICT DO NOTHING
-- kind: select
SELECT "t1"."id", "t1"."email" FROM "public"."User" AS "t1" WHERE ("t1"."id") IN (SELECT "t2"."authorId" FROM "public"."Post" AS "t2" WHERE ("t2"."published" = $1 AND "t2"."authorId" IS NOT NULL)) OFFSET $2
-- kind: select
SELECT MAX("public"."Post"."id") AS "_max_id", MIN("public"."Post"."id") AS "_min_id", AVG("public"."Post"."authorId") AS "_avg_authorId" FROM "public"."Post" WHERE 1=1 OFFSET $1
-- kind: select
SELECT "public"."Post"."authorId", COUNT("public"."Post"."id") AS "_count_id" FROM "public"."Post" WHERE 1=1 GROUP BY "public"."Post"."authorId" OFFSET $1
-- kind: create table
CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)
-- kind: select
SELECT "id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count" FROM "_prisma_migrations" ORDER BY "started_at" ASC
-- kind: ext.set_operation
SELECT "public"."User"."id" FROM "public"."User" WHERE "public"."User"."role" = $1 UNION ALL SELECT "public"."Post"."authorId" FROM "public"."Post" ORDER BY 1 LIMIT $2
-- kind: update
UPDATE "public"."User" SET "role" = $1 WHERE "public"."User"."id" IN ($2,$3) AND "public"."User"."email" NOT ILIKE $4
-- kind: select
SELECT "public"."User"."id" FROM "public"."User" WHERE "public"."User"."createdAt" >= $1 AND "public"."User"."createdAt" < $2 ORDER BY "public"."User"."createdAt" DESC NULLS LAST LIMIT $3 OFFSET $4
