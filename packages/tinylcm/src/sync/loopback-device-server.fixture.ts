/**
 * Test fixture: a small real HTTP server on loopback speaking the device protocol
 * (docs/protocol-endpoints.txt), with injectable faults. Not exported from the package.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeedbackItem, ModelAssignment, ValidationFeedback } from '@tinymlops/contracts';

/** A fault applied to the next request matching `match` (method + path prefix). */
export interface Fault {
  match: string;
  kind: 'status' | 'reset' | 'reset-after-store' | 'hold';
  status?: number;
  code?: string;
  retryAfter?: string;
}

export const ENROLMENT_TOKEN = 'demo-open-enrolment';
export const TOKEN = 'tdv_dev_00000001_' + 'x'.repeat(43);

/** The server's observable state, for assertions. */
export class LoopbackDeviceServer {
  readonly stored = new Map<string, { sha256: string; bytes: Buffer }>();
  readonly puts: string[] = [];
  readonly heartbeats: unknown[] = [];
  readonly reports: unknown[] = [];
  readonly faults: Fault[] = [];
  readonly assignmentRequests: (string | undefined)[] = [];
  feedback: ValidationFeedback[] = [];
  /** The v2 inbox (`?v=2`), served instead of `feedback` to a v2 client. */
  inbox: FeedbackItem[] = [];
  /** Every acknowledgement body received (v1 and v2). */
  readonly acks: unknown[] = [];
  ackedCursor = 0;
  assignment: { body: ModelAssignment; etag: string; bundle: Buffer; headerSha?: string } | undefined;
  /** Resolves held responses (fault `hold`): the server did the work but the answer is late. */
  private held: (() => void)[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));

  url = '';

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const key = `${req.method} ${url.pathname}`;
    const faultAt = this.faults.findIndex((f) => key.startsWith(f.match));
    const fault = faultAt >= 0 ? this.faults.splice(faultAt, 1)[0] : undefined;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') return error(res, fault.status ?? 500, fault.code ?? 'INTERNAL', fault.retryAfter);
    if (key === 'POST /device/v1/enrol') return this.enrol(res, body);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return error(res, 401, 'UNAUTHENTICATED');
    const answer = this.route(req, url, body);
    if (fault?.kind === 'reset-after-store') return void req.socket.destroy();
    if (fault?.kind === 'hold') await new Promise<void>((resolve) => this.held.push(resolve));
    if (!res.destroyed) answer(res);
  }

  private route(req: IncomingMessage, url: URL, body: Buffer): (res: ServerResponse) => void {
    const path = url.pathname;
    if (req.method === 'POST' && path === '/device/v1/heartbeat') {
      this.heartbeats.push(JSON.parse(body.toString()));
      const pending = [...this.feedback, ...this.inbox].filter((f) => f.cursor > this.ackedCursor).length;
      return json(200, {
        schemaVersion: 1,
        deviceId: 'dev_00000001',
        serverTime: new Date().toISOString(),
        feedbackPending: pending,
        assignmentEtag: this.assignment?.etag ?? null,
        nextHeartbeatSeconds: 60,
      });
    }
    const put = /^\/device\/v1\/packages\/([A-Za-z0-9_-]+)$/.exec(path);
    if (req.method === 'PUT' && put?.[1]) return this.putPackage(put[1], req, body);
    if (req.method === 'GET' && path === '/device/v1/feedback') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const all: { cursor: number }[] = url.searchParams.get('v') === '2' ? this.inbox : this.feedback;
      const items = all.filter((f) => f.cursor > after).slice(0, limit);
      const nextCursor = items.at(-1)?.cursor ?? after;
      return json(200, {
        schemaVersion: url.searchParams.get('v') === '2' ? 2 : 1,
        items,
        nextCursor,
        hasMore: all.some((f) => f.cursor > nextCursor),
      });
    }
    if (req.method === 'POST' && path === '/device/v1/feedback/ack') {
      const ack = JSON.parse(body.toString()) as { cursor: number };
      this.acks.push(ack);
      this.ackedCursor = Math.max(this.ackedCursor, ack.cursor);
      return (res) => res.writeHead(204).end();
    }
    if (req.method === 'GET' && path === '/device/v1/assignment') return this.getAssignment(req);
    if (req.method === 'GET' && this.assignment && path === this.assignment.body.downloadPath) {
      const { bundle, headerSha } = this.assignment;
      const sha = headerSha ?? createHash('sha256').update(bundle).digest('hex');
      return (res) => res.writeHead(200, { 'content-type': 'application/gzip', 'x-content-sha256': sha }).end(bundle);
    }
    if (req.method === 'POST' && path === '/device/v1/assignment/report') {
      this.reports.push(JSON.parse(body.toString()));
      return (res) => res.writeHead(204).end();
    }
    return (res) => error(res, 404, 'NOT_FOUND');
  }

  private enrol(res: ServerResponse, body: Buffer): void {
    const request = JSON.parse(body.toString()) as { enrolmentToken: string };
    if (request.enrolmentToken !== ENROLMENT_TOKEN) return error(res, 401, 'ENROLMENT_TOKEN_INVALID');
    json(201, {
      schemaVersion: 1,
      deviceId: 'dev_00000001',
      deviceToken: TOKEN,
      serverTime: '2026-11-26T10:00:00.000Z',
      heartbeatIntervalSeconds: 60,
    })(res);
  }

  private putPackage(id: string, req: IncomingMessage, body: Buffer): (res: ServerResponse) => void {
    this.puts.push(id);
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (req.headers['x-content-sha256'] !== sha256) return (res) => error(res, 422, 'HASH_MISMATCH');
    const existing = this.stored.get(id);
    if (existing && existing.sha256 !== sha256) return (res) => error(res, 409, 'CONFLICT');
    if (!existing) this.stored.set(id, { sha256, bytes: body });
    const receipt = {
      schemaVersion: 1,
      packageId: id,
      sha256,
      size: body.length,
      receivedAt: new Date().toISOString(),
      duplicate: !!existing,
      status: 'queued',
    };
    return json(existing ? 200 : 202, receipt);
  }

  private getAssignment(req: IncomingMessage): (res: ServerResponse) => void {
    const etag = req.headers['if-none-match'];
    this.assignmentRequests.push(etag);
    if (!this.assignment) return (res) => res.writeHead(204).end();
    if (etag === this.assignment.etag) return (res) => res.writeHead(304).end();
    return json(200, this.assignment.body, { etag: this.assignment.etag });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): (res: ServerResponse) => void {
  return (res) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, code: string, retryAfter?: string): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(retryAfter ? { 'retry-after': retryAfter } : {}),
  };
  res.writeHead(status, headers).end(JSON.stringify({ error: { code, message: `injected ${code}` } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
