/**
 * The HTTP listener: health endpoints for orchestrators and load balancers,
 * and Prometheus metrics. JSON bodies throughout.
 * @module
 */
import { log } from "../../common/log.ts";

/** What the health endpoints report. */
export interface HealthReport {
  /** "ok" when serving; "starting" or "stopping" otherwise. */
  readonly status: "ok" | "starting" | "stopping";
  readonly version: string;
  readonly nodeId: number;
  readonly uptimeSeconds: number;
  /** Per-component detail, e.g. { storage: "ok", pg: "listening on 127.0.0.1:5432" }. */
  readonly components: Readonly<Record<string, string>>;
}

/** Options for `startHttpServer`. */
export interface HttpServerOptions {
  readonly hostname: string;
  readonly port: number;
  readonly health: () => HealthReport;
  /** Prometheus text exposition. */
  readonly metrics: () => string;
}

/** A running HTTP listener. */
export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Serves `/admin/live` (the process answers), `/admin/ready` (accepting work;
 * 503 otherwise), `/admin/health` and `/api/v1/health` (full report), `/metrics`.
 */
export function route(request: Request, options: HttpServerOptions): Response {
  const url = new URL(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return json(405, { error: `Method ${request.method} not allowed` });
  }
  switch (url.pathname) {
    case "/admin/live":
      return json(200, { status: "alive" });
    case "/admin/ready": {
      const report = options.health();
      return json(report.status === "ok" ? 200 : 503, {
        status: report.status === "ok" ? "ready" : report.status,
      });
    }
    case "/admin/health":
    case "/api/v1/health": {
      const report = options.health();
      return json(report.status === "ok" ? 200 : 503, report);
    }
    case "/metrics":
      return new Response(options.metrics(), {
        headers: { "content-type": "text/plain; version=0.0.4" },
      });
    default:
      return json(404, { error: `No endpoint ${url.pathname}` });
  }
}

/** Starts the listener. */
export function startHttpServer(options: HttpServerOptions): HttpServer {
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen: () => {},
    onError: (error) => {
      // A handler failure is answered with 500 and logged; the listener keeps serving.
      log.error("HTTP handler failed", { error: String(error) });
      return json(500, { error: "Internal error" });
    },
  }, (request) => route(request, options));
  return {
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}
