-- SQLAlchemy style: lower-case aliases, anon labels, RETURNING, psycopg-bound literals.
-- kind: select
select pg_catalog.version()
-- kind: select
select current_schema()
-- kind: ext.show
show standard_conforming_strings
-- kind: select
SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname = 'users' AND pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p', 'f', 'v', 'm']) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'
-- kind: create table
CREATE TABLE users (
	id SERIAL NOT NULL,
	name VARCHAR(30) NOT NULL,
	fullname VARCHAR,
	PRIMARY KEY (id)
)
-- kind: create table
CREATE TABLE address (
	id SERIAL NOT NULL,
	email_address VARCHAR NOT NULL,
	user_id INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES users (id)
)
-- kind: insert
INSERT INTO users (name, fullname) VALUES ('spongebob', 'Spongebob Squarepants') RETURNING users.id
-- kind: insert
INSERT INTO address (email_address, user_id) VALUES ('spongebob@sqlalchemy.org', 1), ('sandy@squirrelpower.org', 2) RETURNING address.id
-- kind: select
SELECT users.id, users.name, users.fullname FROM users WHERE users.name IN ('spongebob', 'sandy') ORDER BY users.id
-- kind: select
SELECT users.id AS users_id, users.name AS users_name FROM users WHERE users.id = 5
-- kind: select
SELECT address.email_address FROM address JOIN users ON users.id = address.user_id WHERE users.name = 'sandy' AND address.email_address = 'sandy@sqlalchemy.org'
-- kind: select
SELECT count(*) AS count_1 FROM (SELECT users.id AS users_id FROM users WHERE users.name LIKE '%s%') AS anon_1
-- kind: update
UPDATE users SET fullname='Sandy Squirrel' WHERE users.name = 'sandy'
-- kind: delete
DELETE FROM users WHERE users.name = 'patrick'
-- kind: ext.delete_using
DELETE FROM address USING users WHERE users.id = address.user_id AND users.name = 'patrick' RETURNING address.id, users.name
-- kind: update
UPDATE users SET fullname=(users.name || ' ' || 'Squarepants') FROM address WHERE users.id = address.user_id AND address.email_address = 'x@y.z'
-- kind: select
SELECT users.name, count(address.id) AS count FROM users LEFT OUTER JOIN address ON users.id = address.user_id GROUP BY users.name HAVING count(address.id) > 1
-- kind: select
SELECT anon_1.name, anon_1.rank FROM (SELECT users.name AS name, rank() OVER (ORDER BY users.id DESC) AS rank FROM users) AS anon_1 WHERE anon_1.rank <= 3
-- kind: ext.set_operation
SELECT users.name FROM users WHERE users.id < 3 UNION SELECT users.name FROM users WHERE users.id > 5 ORDER BY name
-- kind: ext.set_operation
SELECT users.id FROM users EXCEPT SELECT address.user_id FROM address
-- kind: ext.set_operation
SELECT users.id FROM users INTERSECT ALL SELECT address.user_id FROM address
-- kind: select
SELECT users.id, users.name FROM users WHERE users.id = 3 FOR UPDATE OF users
-- kind: with
WITH anon_1 AS (SELECT address.user_id AS user_id, count(address.id) AS n FROM address GROUP BY address.user_id) SELECT users.name, anon_1.n FROM users JOIN anon_1 ON users.id = anon_1.user_id
-- kind: ext.begin
BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED
-- kind: ext.rollback
ROLLBACK
