/**
 * The Redis protocol (RESP2 and RESP3): request parser, reply serializer,
 * connection handling and the TCP listener. It calls only the engine's
 * key-value session (`src/engine/kv_session.ts`).
 * @module
 */
export { type RespServer, type RespServerOptions, startRespServer } from "./listener.ts";
export { parseRequest, RespProtocolError, splitInline } from "./resp_parser.ts";
export { RespWriter } from "./resp_writer.ts";
