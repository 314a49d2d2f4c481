import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The server's CLI. Apps never import each other: the simulator runs TinySphere as a process. */
export const TINYSPHERE_BIN = fileURLToPath(new URL('../../tinysphere/bin/tinysphere.mjs', import.meta.url));

/** Where a TinySphere keeps its data, as its CLI takes it. */
export interface TinySphereStorage {
  /** `pglite:<dir>` or `postgres://…`. */
  db: string;
  /** `file:<dir>`. */
  blobs: string;
}

/** Options of {@link TinySphereProcess.start}. */
export interface TinySphereStartOptions extends TinySphereStorage {
  /** 0 picks a free port. */
  port: number;
  demoEnrolmentToken?: string;
  /** The server's output goes here (appended); otherwise it is discarded. */
  logFile?: string;
  /** The server creates an admin API token into this file at its first start (`--admin-token-file`). */
  adminTokenFile?: string;
  /** How long to wait for `/readyz` (default 120 s: a cold PGlite on a busy machine is slow). */
  readyTimeoutMs?: number;
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C reaches only the parent, which
   * then stops the devices first and the server last (the demo). Killed on the parent's exit.
   */
  ownProcessGroup?: boolean;
  /** Extra environment of the server process (e.g. MLFLOW_TRACKING_URI and its credentials). */
  env?: Record<string, string>;
  /** More `tinysphere serve` arguments (e.g. `--rollout-step 1`). */
  extraArgs?: string[];
}

/**
 * A `tinysphere serve` child process: started, waited for until `/readyz` answers, stopped with
 * SIGTERM (the server shuts down cleanly on it).
 * @example
 * const server = await TinySphereProcess.start({ db: 'pglite:/tmp/db', blobs: 'file:/tmp/blobs', port: 0 });
 * console.log(server.url); // http://127.0.0.1:41234
 * await server.stop();
 */
export class TinySphereProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly log: WriteStream | undefined,
  ) {}

  static async start(o: TinySphereStartOptions): Promise<TinySphereProcess> {
    const args = ['serve', '--db', o.db, '--blobs', o.blobs, '--port', String(o.port), '--log-level', 'info'];
    if (o.demoEnrolmentToken) args.push('--demo-enrolment-token', o.demoEnrolmentToken);
    if (o.adminTokenFile) args.push('--admin-token-file', o.adminTokenFile);
    args.push(...(o.extraArgs ?? []));
    const env = { ...process.env, ...o.env };
    const detached = o.ownProcessGroup ?? false;
    const child = spawn(process.execPath, [TINYSPHERE_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
      env,
    });
    if (o.ownProcessGroup) process.once('exit', () => child.kill('SIGTERM'));
    const log = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`tinysphere did not start within the time limit:\n${out.slice(-2000)}`)),
        o.readyTimeoutMs ?? 120_000,
      );
      const fail = (err: Error) => (clearTimeout(timer), child.kill('SIGKILL'), reject(err));
      const onData = (d: Buffer) => {
        log?.write(d);
        if (out.length < 100_000) out += d.toString();
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (!m?.[1]) return;
        clearTimeout(timer);
        resolve(m[1]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => fail(new Error(`tinysphere exited with code ${code}:\n${out.slice(-2000)}`)));
    });
    const server = new TinySphereProcess(url, child, log);
    await server.waitReady(o.readyTimeoutMs ?? 120_000);
    return server;
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills the server at once (a crash: in-flight requests die with it); resolves on exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.running) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise((resolve) => (this.log ? this.log.end(resolve) : resolve(undefined)));
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > until || !this.running) throw new Error(`tinysphere at ${this.url} never became ready`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Runs a `tinysphere` CLI command to completion and returns its stdout (for `admin …`).
 * With PGlite the server must not be running: one process owns the database folder.
 * @example
 * const out = await runTinySphere(['admin', 'create-token', '--role', 'admin', '--name', 'demo', '--db', db, '--blobs', blobs]);
 */
export function runTinySphere(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TINYSPHERE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`tinysphere ${args.slice(0, 2).join(' ')} failed (${code}): ${err.trim()}`)),
    );
  });
}
