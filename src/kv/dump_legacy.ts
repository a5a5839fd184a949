/**
 * The DUMP payload format of ThunderDB builds before RDB payloads (the
 * snapshot's value encoding, a 0x5401 version and a CRC32C), read only while
 * the WAL is replayed: a RESTORE logged by such a build still loads after an
 * upgrade. Clients' RESTOREs of such payloads are refused.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { crc32cUpdate } from "../common/crc32c.ts";
import type { KvValue, ValueType } from "./keyspace.ts";
import { Reader, readValue, typeCodes } from "./snapshot.ts";

const legacyVersion = 0x5401;
/** Version (2 bytes) and CRC32C (4 bytes) closed every payload. */
const trailerBytes = 6;

/** Decodes a payload of the old format; null when it is not one or is damaged. */
export function decodeLegacyDump(p: Uint8Array): { type: ValueType; value: KvValue } | null {
  if (p.length < trailerBytes + 1) return null;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const n = p.length - trailerBytes;
  if (view.getUint16(n, true) !== legacyVersion) return null;
  if (crc32cUpdate(0, p.subarray(0, n + 2)) !== view.getUint32(n + 2, true)) return null;
  const r = new Reader(p.subarray(0, n));
  try {
    const type = typeCodes[r.u8()];
    if (type === undefined) return null;
    const value = readValue(r, type);
    return r.pos === n ? { type, value } : null;
  } catch (e) {
    // A damaged payload is not loaded, as RESTORE refuses it.
    if (e instanceof CorruptError) return null;
    throw e;
  }
}
