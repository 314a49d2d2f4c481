import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, TinyMLOpsError, type ErrorCode, type LocalPrediction } from '@tinymlops/contracts';

/** Options of {@link PredictionStreamServer.start}. */
export interface PredictionStreamOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Bind to an address other machines can reach; refused without it. */
  allowRemote?: boolean;
  /** Most concurrent event-stream clients (default 8). */
  maxClients?: number;
  /** A comment line this often keeps idle connections (and proxies) open (default 15 s). */
  keepAliveMs?: number;
}

interface Client {
  res: ServerResponse;
  /** The socket's buffer is full: events are skipped until it drains (a slow reader must not grow memory). */
  blocked: boolean;
}

/**
 * The device's predictions over HTTP on loopback, for the end user's application:
 * `GET /predictions` is a server-sent event stream (one `prediction` event per frame),
 * `GET /predictions/latest` the last prediction as JSON, `GET /health` a liveness answer.
 * A client too slow to keep up misses events instead of buffering them. Requests naming another
 * host than the loopback one are refused (a web page cannot reach the stream by DNS rebinding).
 * @example
 * const server = await PredictionStreamServer.start({ host: '127.0.0.1', port: 8765 });
 * server.publish(prediction);
 * // curl -N http://127.0.0.1:8765/predictions
 */
export class PredictionStreamServer {
  readonly #clients = new Set<Client>();
  readonly #server: Server;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  #latest: LocalPrediction | undefined;
  #published = 0;

  private constructor(private readonly o: PredictionStreamOptions) {
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#keepAlive = setInterval(() => this.#send(': keep-alive\n\n'), o.keepAliveMs ?? 15_000);
    this.#keepAlive.unref();
  }

  /** Binds the server; refuses a non-loopback host unless `allowRemote`. */
  static async start(o: PredictionStreamOptions): Promise<PredictionStreamServer> {
    if (!o.allowRemote && !isLoopbackHost(o.host)) {
      const why = `output.http.host "${o.host}" is reachable from other machines; set output.http.allowRemote to allow it`;
      throw new TinyMLOpsError('VALIDATION_FAILED', why);
    }
    const s = new PredictionStreamServer(o);
    try {
      await new Promise<void>((resolve, reject) => {
        s.#server.once('error', reject);
        s.#server.listen(o.port, o.host, () => resolve());
      });
    } catch (cause) {
      clearInterval(s.#keepAlive);
      const why = `output.http: cannot listen on ${o.host}:${o.port}: ${(cause as Error).message}`;
      throw new TinyMLOpsError('UNAVAILABLE', why, { cause });
    }
    return s;
  }

  /** The stream's URL, e.g. `http://127.0.0.1:8765/predictions`. */
  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${port}/predictions`;
  }

  /** Connected event-stream clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Sends one prediction to every client. */
  publish(p: LocalPrediction): void {
    this.#latest = p;
    this.#published++;
    this.#send(`id: ${p.frameIndex}\nevent: prediction\ndata: ${JSON.stringify(p)}\n\n`);
  }

  /** Ends every stream and stops listening. */
  async close(): Promise<void> {
    clearInterval(this.#keepAlive);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #send(text: string): void {
    for (const c of this.#clients) if (!c.blocked) c.blocked = !c.res.write(text);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!this.o.allowRemote && !isLoopbackHost(hostName(req.headers.host ?? '')))
      return fail(res, 403, 'FORBIDDEN', `host "${req.headers.host ?? ''}" is not this device's loopback address`);
    if (req.method !== 'GET') return fail(res, 405, 'VALIDATION_FAILED', `${req.method} is not allowed; use GET`);
    if (path === '/predictions') return this.#stream(res);
    if (path === '/predictions/latest') return this.#sendLatest(res);
    if (path === '/health')
      return json(res, 200, { status: 'ok', predictions: this.#published, clients: this.clients });
    fail(res, 404, 'NOT_FOUND', `no ${path} here; GET /predictions (event stream), /predictions/latest or /health`);
  }

  #sendLatest(res: ServerResponse): void {
    if (this.#latest) json(res, 200, this.#latest);
    else res.writeHead(204).end(); // nothing predicted yet
  }

  #stream(res: ServerResponse): void {
    if (this.#clients.size >= (this.o.maxClients ?? 8))
      return fail(res, 503, 'UNAVAILABLE', `already ${this.#clients.size} clients (output.http.maxClients)`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const client: Client = { res, blocked: false };
    res.on('drain', () => (client.blocked = false));
    res.on('close', () => this.#clients.delete(client));
    this.#clients.add(client);
  }
}

/** The host part of a Host header (`127.0.0.1:8765` → `127.0.0.1`, `[::1]:80` → `::1`). */
function hostName(header: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(header);
  return v6?.[1] ?? header.replace(/:\d+$/, '');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  json(res, status, { error: { code, message } });
}
