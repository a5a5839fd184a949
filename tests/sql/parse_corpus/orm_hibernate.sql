-- Hibernate style: short table aliases with numbered suffixes, sequences, $n binds.
-- kind: create sequence
create sequence employee_seq start with 1 increment by 50
-- kind: create table
create table department (id bigint not null, name varchar(255), primary key (id))
-- kind: create table
create table employee (id bigint not null, email varchar(255) not null, first_name varchar(255), salary numeric(38,2), hired_on date, department_id bigint, primary key (id))
-- kind: alter table
alter table if exists employee add constraint UK_fopic1oh5oln2khj8eat6ino0 unique (email)
-- kind: alter table
alter table if exists employee add constraint FKbejtwvg9bxus2mffsm3swj3u9 foreign key (department_id) references department
-- kind: select
select nextval('employee_seq')
-- kind: insert
insert into employee (department_id,email,first_name,hired_on,salary,id) values ($1,$2,$3,$4,$5,$6)
-- kind: select
select e1_0.id,e1_0.department_id,e1_0.email,e1_0.first_name,e1_0.hired_on,e1_0.salary from employee e1_0 where e1_0.id=$1
-- kind: select
select e1_0.id,e1_0.email from employee e1_0 where e1_0.email=$1
-- kind: select
select e1_0.id,d1_0.id,d1_0.name,e1_0.email from employee e1_0 left join department d1_0 on d1_0.id=e1_0.department_id where e1_0.salary>$1 order by e1_0.salary desc offset $2 rows fetch first $3 rows only
-- kind: update
update employee set department_id=$1,email=$2,first_name=$3,hired_on=$4,salary=$5 where id=$6
-- kind: delete
delete from employee where id=$1
-- kind: select
select count(e1_0.id) from employee e1_0 where e1_0.department_id=$1
-- kind: select
select d1_0.name,avg(e1_0.salary) from employee e1_0 join department d1_0 on d1_0.id=e1_0.department_id group by d1_0.name having avg(e1_0.salary)>$1
-- kind: select
select e1_0.id from employee e1_0 where lower(e1_0.first_name) like lower($1) escape ''
-- kind: select
select e1_0.id from employee e1_0 where e1_0.id=$1 for update
-- kind: select
select e1_0.id from employee e1_0 where e1_0.hired_on between $1 and $2
-- kind: select
select e1_0.id from employee e1_0 where e1_0.department_id in (select d1_0.id from department d1_0 where d1_0.name=$1)
-- kind: select
select case when count(e1_0.id)>0 then true else false end from employee e1_0 where e1_0.email=$1
-- kind: select
select e1_0.id,coalesce(e1_0.first_name,$1) from employee e1_0 where e1_0.salary is not null
-- kind: ext.begin
begin
-- kind: ext.commit
commit
-- kind: select
select current_timestamp
-- kind: select
select e1_0.id from employee e1_0 where extract(year from e1_0.hired_on)=$1
-- kind: drop sequence
drop sequence if exists employee_seq cascade
-- kind: select
select e1_0.id,d1_0.name from employee e1_0 join department d1_0 on d1_0.id=e1_0.department_id where e1_0.id=$1 for no key update of e1_0
-- kind: select
select e1_0.id from employee e1_0 where trim(both ' ' from e1_0.first_name)=$1
