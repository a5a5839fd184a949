-- pgvector usage: vector columns, distance operators, ANN indexes.
-- kind: create extension
CREATE EXTENSION IF NOT EXISTS vector
-- kind: create table
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), category_id int)
-- kind: create table
CREATE TABLE documents (id bigint PRIMARY KEY, content text, embedding vector(1536) NOT NULL)
-- kind: insert
INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]')
-- kind: select
SELECT * FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 5
-- kind: select
SELECT id, embedding <=> '[3,1,2]' AS cosine_distance FROM items ORDER BY 2 LIMIT 5
-- kind: select
SELECT (embedding <#> '[3,1,2]') * -1 AS inner_product FROM items
-- kind: select
SELECT 1 - (embedding <=> '[3,1,2]') AS cosine_similarity FROM items
-- kind: select
SELECT * FROM items WHERE id != 1 ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = 1) LIMIT 5
-- kind: select
SELECT * FROM items WHERE embedding <-> '[3,1,2]' < 5
-- kind: select
SELECT AVG(embedding) FROM items
-- kind: select
SELECT category_id, AVG(embedding) FROM items GROUP BY category_id
-- kind: select
SELECT id, content FROM documents ORDER BY embedding <=> $1 LIMIT $2
-- kind: update
UPDATE items SET embedding = '[1,2,3]' WHERE id = 1
-- kind: delete
DELETE FROM items WHERE id = 1
-- kind: create index
CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)
-- kind: create index
CREATE INDEX items_embedding_cos ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)
-- kind: create index
CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 100)
-- kind: create index
CREATE INDEX ON documents USING hnsw (embedding vector_ip_ops)
-- kind: ext.set
SET hnsw.ef_search = 100
-- kind: ext.set
SET LOCAL ivfflat.probes = 10
-- kind: select
SELECT id FROM items WHERE category_id = 123 ORDER BY embedding <-> '[3,1,2]' LIMIT 5
-- kind: select
SELECT l2_distance(embedding, '[3,1,2]'), cosine_distance(embedding, '[3,1,2]'), vector_dims(embedding) FROM items
-- kind: with
WITH q AS (SELECT embedding FROM items WHERE id = 7) SELECT i.id FROM items i, q ORDER BY i.embedding <-> q.embedding LIMIT 10
