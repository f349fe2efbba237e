import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { remoteIssuer, TlsIdentity } from '../../core/tls/identity.js';
import type { ProbeTarget } from '../monitoring/probe.js';
import type { DesiredInstance, InstanceState } from '../report/hub-client.js';
import { Backoff, certificateOf, exitWire, type ExitRecord, type ManagedInstance, type RuntimeContext } from './instance.js';
import { instancePaths, type InstancePaths } from './replica-config.js';
import { freePort } from '../../core/free-port.js';

/**
 * A `process` instance: any command, supervised. Before the first start the agent obtains the
 * instance's certificate (`spiffe://<td>/vector/<id>`, kept renewed, written to the instance's
 * tls/ folder) and picks a free port; the command learns both from its environment:
 * PHOENIX_PORT, PHOENIX_HOST, PHOENIX_TLS_CERT, PHOENIX_TLS_KEY, PHOENIX_TLS_CA, PHOENIX_DATA_DIR,
 * PHOENIX_INSTANCE (and `${PHOENIX_…}` in its args and env values is replaced by them). It is `starting` until its
 * health check first passes, then `running`. Output goes to the instance's log. Limits: memory
 * (address space), open files and processes through prlimit(1); priority through nice.
 */
export class WorkloadInstance extends EventEmitter implements ManagedInstance {
  readonly paths: InstancePaths;
  private proc: ChildProcess | undefined;
  private _state: InstanceState = 'stopped';
  private port: number | undefined;
  private identity: TlsIdentity | undefined;
  private readonly renewal = new AbortController();
  private readonly backoff = new Backoff();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private restarts = 0;
  private startedAt: number | undefined;
  private lastExit: ExitRecord | undefined;

  constructor(
    readonly spec: DesiredInstance,
    private readonly ctx: RuntimeContext,
  ) {
    super();
    this.paths = instancePaths(ctx.agentDataDir, spec.id);
  }

  get state(): InstanceState {
    return this._state;
  }

  start(): void {
    this.stopping = false;
    this.ctx.logger.info({ instance: this.spec.id, command: this.spec.spec.command }, 'starting instance');
    void this.launch();
  }

  private async launch(): Promise<void> {
    this.set('starting');
    try {
      await this.ensureIdentity();
      this.port ??= await freePort(this.ctx.advertiseAddress);
    } catch (err) {
      this.log(`cannot prepare the start: ${errorMessage(err)}`);
      this.ctx.logger.warn({ instance: this.spec.id, err: errorMessage(err) }, 'cannot prepare instance start; retrying');
      return this.scheduleRestart(0, true);
    }
    if (this.stopping) return;
    const env = this.environment();
    const args = (this.spec.spec.args ?? []).map((a) => a.replace(/\$\{(PHOENIX_[A-Z_]+)\}/g, (m, name: string) => env[name] ?? m));
    const [file, argv] = this.withLimits(this.spec.spec.command as string, args);
    mkdirSync(dirname(this.paths.logFile), { recursive: true });
    const fd = openSync(this.paths.logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], cwd: this.paths.dataDir, detached: false });
    } finally {
      closeSync(fd);
    }
    this.proc = proc;
    const launchedAt = Date.now();
    proc.once('spawn', () => {
      const nice = this.spec.spec.resources?.nice;
      if (nice !== undefined && proc.pid !== undefined) {
        try {
          setPriority(proc.pid, nice);
        } catch (err) {
          this.ctx.logger.warn({ instance: this.spec.id, err: errorMessage(err) }, 'cannot set the instance’s priority');
        }
      }
      this.emit('change');
    });
    proc.once('error', (err) => this.log(`cannot run ${this.spec.spec.command}: ${err.message}`));
    proc.once('close', (code, signal) => {
      this.proc = undefined;
      this.startedAt = undefined;
      this.lastExit = { code, signal, at: Date.now() };
      if (this.stopping) return this.set('stopped');
      this.log(`exited (${signal ?? `code ${code}`})`);
      this.ctx.logger.warn({ instance: this.spec.id, code, signal }, 'instance exited');
      const failed = signal !== null || code !== 0;
      const policy = this.spec.spec.restart;
      if (policy === 'always' || (policy === 'on-failure' && failed)) this.scheduleRestart(Date.now() - launchedAt, false);
      else this.set(failed ? 'failed' : 'stopped');
    });
  }

  private scheduleRestart(ranForMs: number, preparing: boolean): void {
    if (this.stopping) return;
    const delay = this.backoff.delay(ranForMs);
    this.set('backoff');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      if (!preparing) this.restarts++;
      void this.launch();
    }, delay);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.renewal.abort();
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('close', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    }
    this.set('stopped');
  }

  target(): ProbeTarget | undefined {
    if (!this.proc || this.port === undefined || !this.identity) return undefined;
    const c = this.identity.current;
    return { url: this.url(), ca: this.ctx.rootPem, identity: this.spec.identity, key: c.keyPem, cert: c.chainPem };
  }

  readyWithoutProbe(): boolean {
    return false;
  }

  certificate() {
    return this.identity ? certificateOf(this.identity.current.chainPem, this.spec.identity) : undefined;
  }

  healthChanged(healthy: boolean): void {
    if (healthy && this._state === 'starting' && this.proc) {
      this.startedAt = Date.now();
      this.set('running');
    }
  }

  report() {
    const lastExit = exitWire(this.lastExit);
    return {
      id: this.spec.id,
      state: this._state,
      restarts: this.restarts,
      ...(this.proc?.pid !== undefined ? { pid: this.proc.pid } : {}),
      ...(this.port !== undefined && this._state === 'running' ? { url: this.url() } : {}),
      ...(this.startedAt !== undefined ? { startedAt: new Date(this.startedAt).toISOString() } : {}),
      ...(lastExit ? { lastExit } : {}),
    };
  }

  private url(): string {
    const host = this.ctx.advertiseAddress.includes(':') ? `[${this.ctx.advertiseAddress}]` : this.ctx.advertiseAddress;
    return `https://${host}:${this.port}`;
  }

  /** The instance's environment: the PHOENIX_… values, then the stack's `env` with `${PHOENIX_…}` replaced by them. */
  private environment(): Record<string, string> {
    const own: Record<string, string> = {
      PHOENIX_INSTANCE: this.spec.id,
      PHOENIX_HOST: this.ctx.advertiseAddress,
      PHOENIX_PORT: String(this.port),
      PHOENIX_TLS_CERT: this.paths.tlsCert,
      PHOENIX_TLS_KEY: this.paths.tlsKey,
      PHOENIX_TLS_CA: this.paths.caFile,
      PHOENIX_DATA_DIR: this.paths.dataDir,
      PHOENIX_IDENTITY: this.spec.identity,
    };
    const env = Object.fromEntries(Object.entries(this.spec.spec.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{(PHOENIX_[A-Z_]+)\}/g, (m, name: string) => own[name] ?? m)]));
    return { ...env, ...own };
  }

  /** prlimit(1) in front of the command when limits are set (and prlimit exists). */
  private withLimits(command: string, args: string[]): [string, string[]] {
    const r = this.spec.spec.resources;
    const limits = [
      ...(r?.memoryBytes !== undefined ? [`--as=${r.memoryBytes}`] : []),
      ...(r?.files !== undefined ? [`--nofile=${r.files}`] : []),
      ...(r?.processes !== undefined ? [`--nproc=${r.processes}`] : []),
    ];
    if (limits.length === 0) return [command, args];
    const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
    if (!prlimit) {
      this.log('resource limits requested but prlimit(1) is not installed; running without them');
      return [command, args];
    }
    return [prlimit, [...limits, '--', command, ...args]];
  }

  private async ensureIdentity(): Promise<void> {
    if (this.identity) return;
    mkdirSync(this.paths.dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(this.paths.caFile), { recursive: true, mode: 0o700 });
    writeFileSync(this.paths.caFile, this.ctx.rootPem, { mode: 0o644 });
    const name = this.spec.id;
    this.identity = await TlsIdentity.obtain(
      { trustDomain: this.ctx.trustDomain, role: 'vector', name, dnsNames: ['localhost'], ipAddresses: [this.ctx.advertiseAddress] },
      remoteIssuer({ url: this.ctx.ca.url, rootPem: this.ctx.rootPem }, () => this.ctx.token(name)),
      { logger: this.ctx.logger.child({ instance: name }), files: { key: this.paths.tlsKey, cert: this.paths.tlsCert } },
    );
    this.identity.start(this.renewal.signal);
  }

  private set(state: InstanceState): void {
    if (this._state === state) return;
    this._state = state;
    this.emit('change');
  }

  /** A line in the instance's own log, so its viewers see what the agent did. */
  private log(line: string): void {
    try {
      mkdirSync(dirname(this.paths.logFile), { recursive: true });
      writeFileSync(this.paths.logFile, `[phoenix-agent ${new Date().toISOString()}] ${line}\n`, { flag: 'a' });
    } catch {
      /* logging must not break supervision */
    }
  }
}

