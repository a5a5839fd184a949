/**
 * The rest of `pg_catalog`: types, databases, roles, access methods,
 * collations, settings, and relations that are empty in ThunderDB
 * (triggers, policies, publications, inheritance, ...).
 * @module
 */
import type { Value } from "../../common/types.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { builtinTypes } from "./type_table.ts";
import { compositeTypeRows, enumTypeRows } from "./pg_enum.ts";
import { descriptions } from "./descriptions.ts";
import {
  databaseName,
  databaseOid,
  empty,
  ownerName,
  ownerOid,
  virtual,
  type VirtualRelation,
} from "./virtual.ts";

const pgCatalogOid = 11;

/** pg_type: the built-in scalar types, the enum types and their array types. */
export const pgType: VirtualRelation = virtual(
  "pg_catalog",
  "pg_type",
  "oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char " +
    "typcategory:char typispreferred:bool typisdefined:bool typdelim:char typrelid:oid " +
    "typelem:oid typarray:oid typnotnull:bool typbasetype:oid typtypmod:int4 typndims:int4 " +
    "typcollation:oid typdefault:text typacl:text[]",
  (catalog) => {
    const rows: Value[][] = [];
    for (const t of builtinTypes) {
      const coll = ["text", "varchar", "bpchar", "name"].includes(t.name) ? 100 : 0;
      const base = [pgCatalogOid, ownerOid];
      rows.push([
        t.oid,
        t.name,
        ...base,
        t.len,
        t.len > 0 && t.len <= 8,
        t.category === "P" ? "p" : "b",
        t.category,
        false,
        true,
        ",",
        0,
        0,
        t.arrayOid,
        false,
        0,
        -1,
        0,
        coll,
        null,
        null,
      ]);
      if (t.arrayOid > 0) {
        rows.push([
          t.arrayOid,
          `_${t.name}`,
          ...base,
          -1,
          false,
          "b",
          "A",
          false,
          true,
          ",",
          0,
          t.oid,
          0,
          false,
          0,
          -1,
          0,
          coll,
          null,
          null,
        ]);
      }
    }
    rows.push(...enumTypeRows(catalog), ...compositeTypeRows(catalog));
    return rows;
  },
);

/** pg_database: the one database. */
export const pgDatabase: VirtualRelation = virtual(
  "pg_catalog",
  "pg_database",
  "oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool " +
    "datallowconn:bool datconnlimit:int4 datfrozenxid:int8 datminmxid:int8 dattablespace:oid " +
    "datcollate:text datctype:text daticulocale:text datcollversion:text datacl:text[]",
  () => [[
    databaseOid,
    databaseName,
    ownerOid,
    6,
    "c",
    false,
    true,
    -1,
    0n,
    0n,
    1663,
    "C",
    "C",
    null,
    null,
    null,
  ]],
);

const roleSpec = "oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool " +
  "rolcreatedb:bool rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolpassword:text " +
  "rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:text[]";

function roleRows(catalog: Catalog): Value[][] {
  return [
    [ownerOid, ownerName, true, true, true, true, true, true, -1, "********", null, true, null],
    ...[...catalog.roles.values()].map((r): Value[] => [
      r.oid,
      r.name,
      r.superuser,
      true,
      r.createrole,
      r.createdb,
      r.login,
      false,
      -1,
      r.password === null ? null : "********",
      null,
      false,
      null,
    ]),
    [
      6171,
      "pg_database_owner",
      false,
      true,
      false,
      false,
      false,
      false,
      -1,
      null,
      null,
      false,
      null,
    ],
  ];
}

/** pg_roles: the superuser and the built-in pg_database_owner role. */
export const pgRoles: VirtualRelation = virtual("pg_catalog", "pg_roles", roleSpec, roleRows);

/** pg_authid: like pg_roles (passwords are never shown). */
export const pgAuthid: VirtualRelation = virtual("pg_catalog", "pg_authid", roleSpec, roleRows);

/** pg_user: roles that can log in. */
export const pgUser: VirtualRelation = virtual(
  "pg_catalog",
  "pg_user",
  "usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool " +
    "passwd:text valuntil:timestamptz useconfig:text[]",
  (catalog) => [
    [ownerName, ownerOid, true, true, true, true, "********", null, null],
    ...[...catalog.roles.values()].filter((r) => r.login).map((r): Value[] => [
      r.name,
      r.oid,
      r.createdb,
      r.superuser,
      false,
      false,
      "********",
      null,
      null,
    ]),
  ],
);

/** pg_am: the heap table and the index access methods (all stored as B-trees). */
export const pgAm: VirtualRelation = virtual(
  "pg_catalog",
  "pg_am",
  "oid:oid amname:name amhandler:regproc amtype:char",
  () => [
    [2, "heap", 3, "t"],
    [403, "btree", 330, "i"],
    [405, "hash", 331, "i"],
    [783, "gist", 332, "i"],
    [2742, "gin", 333, "i"],
    [4000, "spgist", 334, "i"],
    [3580, "brin", 335, "i"],
  ],
);

/** pg_tablespace: the default tablespaces. */
export const pgTablespace: VirtualRelation = virtual(
  "pg_catalog",
  "pg_tablespace",
  "oid:oid spcname:name spcowner:oid spcacl:text[] spcoptions:text[]",
  () => [[1663, "pg_default", ownerOid, null, null], [1664, "pg_global", ownerOid, null, null]],
);

/** pg_collation: the default, C and POSIX collations. */
export const pgCollation: VirtualRelation = virtual(
  "pg_catalog",
  "pg_collation",
  "oid:oid collname:name collnamespace:oid collowner:oid collprovider:char " +
    "collisdeterministic:bool collencoding:int4 collcollate:text collctype:text " +
    "colliculocale:text collversion:text",
  () => [
    [100, "default", pgCatalogOid, ownerOid, "d", true, -1, null, null, null, null],
    [950, "C", pgCatalogOid, ownerOid, "c", true, -1, "C", "C", null, null],
    [951, "POSIX", pgCatalogOid, ownerOid, "c", true, -1, "POSIX", "POSIX", null, null],
  ],
);

/** pg_extension: plpgsql-free; only the built-in vector type's extension. */
export const pgExtension: VirtualRelation = virtual(
  "pg_catalog",
  "pg_extension",
  "oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion:text " +
    "extconfig:oid[] extcondition:text[]",
  () => [],
);

/** Server settings as their defaults; `SHOW`/`current_setting` give session values. */
const settingDefaults: readonly (readonly [string, string, string])[] = [
  ["application_name", "", "Reporting and Logging"],
  ["client_encoding", "UTF8", "Client Connection Defaults"],
  ["DateStyle", "ISO, MDY", "Client Connection Defaults"],
  ["default_transaction_isolation", "read committed", "Client Connection Defaults"],
  ["IntervalStyle", "postgres", "Client Connection Defaults"],
  ["integer_datetimes", "on", "Preset Options"],
  ["max_connections", "100", "Connections and Authentication"],
  ["search_path", '"$user", public', "Client Connection Defaults"],
  ["server_encoding", "UTF8", "Preset Options"],
  ["server_version", "15.0", "Preset Options"],
  ["server_version_num", "150000", "Preset Options"],
  ["standard_conforming_strings", "on", "Version and Platform Compatibility"],
  ["statement_timeout", "0", "Client Connection Defaults"],
  ["TimeZone", "UTC", "Client Connection Defaults"],
  ["transaction_isolation", "read committed", "Client Connection Defaults"],
];

/** pg_settings: server settings. */
export const pgSettings: VirtualRelation = virtual(
  "pg_catalog",
  "pg_settings",
  "name:text setting:text unit:text category:text short_desc:text context:text vartype:text " +
    "source:text boot_val:text reset_val:text pending_restart:bool",
  () =>
    settingDefaults.map(([name, value, category]) => [
      name,
      value,
      null,
      category,
      "",
      "user",
      "string",
      "default",
      value,
      value,
      false,
    ]),
);

/** pg_description: comments on objects (built-in and COMMENT ON). */
export const pgDescription: VirtualRelation = virtual(
  "pg_catalog",
  "pg_description",
  "objoid:oid classoid:oid objsubid:int4 description:text",
  (catalog) => descriptions(catalog).map((d) => [d.objoid, d.classoid, d.objsubid, d.description]),
);

/** pg_proc: a minimal listing (ThunderDB has no user-defined functions). */
export const pgProc: VirtualRelation = virtual(
  "pg_catalog",
  "pg_proc",
  "oid:oid proname:name pronamespace:oid proowner:oid prolang:oid prokind:char " +
    "proretset:bool provolatile:char pronargs:int2 prorettype:oid proargtypes:oid[] prosrc:text",
  () => [],
);

/** Relations that exist for tools but are always empty in ThunderDB. */
export const emptyRelations: readonly VirtualRelation[] = [
  empty("pg_shdescription", "objoid:oid classoid:oid description:text"),
  empty("pg_inherits", "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
  empty("pg_auth_members", "roleid:oid member:oid grantor:oid admin_option:bool"),
  empty(
    "pg_policy",
    "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[] " +
      "polqual:text polwithcheck:text",
  ),
  empty(
    "pg_trigger",
    "oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char " +
      "tgisinternal:bool tgconstraint:oid",
  ),
  empty(
    "pg_statistic_ext",
    "oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 " +
      "stxkeys:int2[] stxkind:char[]",
  ),
  empty(
    "pg_publication",
    "oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool " +
      "pubdelete:bool pubtruncate:bool pubviaroot:bool",
  ),
  empty("pg_publication_rel", "oid:oid prpubid:oid prrelid:oid prqual:text prattrs:int2[]"),
  empty("pg_publication_namespace", "oid:oid pnpubid:oid pnnspid:oid"),
  empty("pg_rewrite", "oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char"),
  empty(
    "pg_depend",
    "classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char",
  ),
  empty("pg_foreign_table", "ftrelid:oid ftserver:oid ftoptions:text[]"),
  empty(
    "pg_foreign_server",
    "oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:text[] " +
      "srvoptions:text[]",
  ),
  empty(
    "pg_foreign_data_wrapper",
    "oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:text[] " +
      "fdwoptions:text[]",
  ),
  empty("pg_user_mapping", "oid:oid umuser:oid umserver:oid umoptions:text[]"),
  empty("pg_db_role_setting", "setdatabase:oid setrole:oid setconfig:text[]"),
  empty(
    "pg_conversion",
    "oid:oid conname:name connamespace:oid conowner:oid conforencoding:int4 " +
      "contoencoding:int4 conproc:regproc condefault:bool",
  ),
  empty(
    "pg_event_trigger",
    "oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char evttags:text[]",
  ),
  empty(
    "pg_language",
    "oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid " +
      "laninline:oid lanvalidator:oid lanacl:text[]",
  ),
  empty(
    "pg_ts_config",
    "oid:oid cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid",
  ),
  empty("pg_ts_parser", "oid:oid prsname:name prsnamespace:oid"),
  empty("pg_ts_dict", "oid:oid dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid"),
  empty("pg_ts_template", "oid:oid tmplname:name tmplnamespace:oid"),
  empty("pg_range", "rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid"),
  empty(
    "pg_default_acl",
    "oid:oid defaclrole:oid defaclnamespace:oid defaclobjtype:char defaclacl:text[]",
  ),
  empty(
    "pg_user_mappings",
    "umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:text[]",
  ),
  empty("pg_init_privs", "objoid:oid classoid:oid objsubid:int4 privtype:char initprivs:text[]"),
  empty("pg_seclabel", "objoid:oid classoid:oid objsubid:int4 provider:text label:text"),
  empty("pg_partitioned_table", "partrelid:oid partstrat:char partnatts:int2"),
];
