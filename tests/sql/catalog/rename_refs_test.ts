import assert from "node:assert/strict";
import { renameColumnRefs } from "../../../src/sql/catalog/rename_refs.ts";

Deno.test("renameColumnRefs() renames column references only", () => {
  assert.equal(renameColumnRefs("lower(email)", "email", "mail"), "lower(mail)");
  assert.equal(renameColumnRefs("(a + b) > 'a'", "a", "Big A"), `("Big A" + b) > 'a'`);
  // A function of the same name, a qualified name and a string stay.
  assert.equal(renameColumnRefs("lower(lower) || t.lower", "lower", "x"), "lower(x) || t.lower");
  assert.equal(renameColumnRefs(`"Mail" = 'Mail'`, "Mail", "m"), "m = 'Mail'");
});
