import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/**
 * Supervised Phoenix child processes (used by `phoenix up` for the roles and by the agent for stack
 * replicas). A child is a Node process started with an IPC channel; when its role is up it sends
 * `{type: 'ready', endpoints}`. If the parent dies the channel closes and the child exits by itself,
 * so no process is left behind. Output goes to a log file opened in append mode.
 */
export interface ReadyMessage {
  type: 'ready';
  endpoints: Record<string, string>;
}

export type RestartPolicy = 'always' | 'on-failure' | 'never';

export interface ChildSpec {
  name: string;
  /** The script to run with Node (normally bin/phoenix.js). */
  modulePath: string;
  args: readonly string[];
  env?: Record<string, string>;
  /** stdout and stderr are appended here; inherited when unset. */
  logFile?: string;
  restart: RestartPolicy;
  /** First restart delay; doubles per quick failure up to `maxBackoffMs`. Default 200 ms. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a start may take before it counts as failed. Default 60 s. */
  readyTimeoutMs?: number;
  /** Called before every (re)start; may refresh args/env (e.g. a new one-time token). */
  beforeStart?: () => Promise<{ args?: readonly string[]; env?: Record<string, string> } | void>;
}

export type ChildState = 'starting' | 'running' | 'backoff' | 'stopped' | 'failed';

export class SupervisedChild extends EventEmitter {
  private proc: ChildProcess | undefined;
  private stopping = false;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private _state: ChildState = 'stopped';
  private _restarts = 0;
  private _ready: ReadyMessage | undefined;
  private startedAt = 0;

  constructor(
    readonly spec: ChildSpec,
    private readonly logger: Logger,
  ) {
    super();
    this.backoffMs = spec.initialBackoffMs ?? 200;
  }

  get state(): ChildState {
    return this._state;
  }
  get pid(): number | undefined {
    return this.proc?.pid;
  }
  get restarts(): number {
    return this._restarts;
  }
  /** The last ready message (endpoints), while running. */
  get ready(): ReadyMessage | undefined {
    return this._state === 'running' ? this._ready : undefined;
  }

  /** Starts the child and resolves with its first ready message; rejects if it exits before. */
  start(): Promise<ReadyMessage> {
    this.stopping = false;
    return new Promise((resolve, reject) => {
      const onReady = (msg: ReadyMessage) => {
        cleanup();
        resolve(msg);
      };
      const onFail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        this.off('ready', onReady);
        this.off('start-failed', onFail);
      };
      this.on('ready', onReady);
      this.on('start-failed', onFail);
      void this.spawn();
    });
  }

  private async spawn(): Promise<void> {
    this._state = 'starting';
    let args = this.spec.args;
    let env = this.spec.env ?? {};
    try {
      const fresh = await this.spec.beforeStart?.();
      if (fresh?.args) args = fresh.args;
      if (fresh?.env) env = { ...env, ...fresh.env };
    } catch (err) {
      this.logger.error({ child: this.spec.name, err: (err as Error).message }, 'cannot prepare child start');
      this.emit('start-failed', err as Error);
      this.scheduleRestart(1);
      return;
    }
    if (this.stopping) return;
    let logFd: number | undefined;
    if (this.spec.logFile) {
      mkdirSync(dirname(this.spec.logFile), { recursive: true });
      logFd = openSync(this.spec.logFile, 'a');
    }
    const proc = fork(this.spec.modulePath, [...args], {
      env: { ...process.env, ...env },
      stdio: logFd === undefined ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', logFd, logFd, 'ipc'],
      serialization: 'json',
    });
    if (logFd !== undefined) closeSync(logFd);
    this.proc = proc;
    this.startedAt = Date.now();
    const readyTimer = setTimeout(() => {
      this.logger.error({ child: this.spec.name, pid: proc.pid }, 'child did not become ready in time; killing it');
      proc.kill('SIGKILL');
    }, this.spec.readyTimeoutMs ?? 60_000);
    proc.on('message', (msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'ready') {
        clearTimeout(readyTimer);
        this._ready = msg as ReadyMessage;
        this._state = 'running';
        this.logger.info({ child: this.spec.name, pid: proc.pid, endpoints: this._ready.endpoints }, 'child ready');
        this.emit('ready', this._ready);
      }
    });
    proc.on('error', (err) => this.logger.error({ child: this.spec.name, err: err.message }, 'child process error'));
    proc.on('exit', (code, signal) => {
      clearTimeout(readyTimer);
      const wasReady = this._state === 'running';
      this.proc = undefined;
      this._ready = undefined;
      this.emit('exit', code, signal);
      if (this.stopping) {
        this._state = 'stopped';
        return;
      }
      this.logger.warn({ child: this.spec.name, code, signal }, 'child exited');
      if (!wasReady) this.emit('start-failed', new Error(`${this.spec.name} exited (${signal ?? code}) before it was ready; see ${this.spec.logFile ?? 'its output'}`));
      const failed = signal !== null || code !== 0;
      if (this.spec.restart === 'always' || (this.spec.restart === 'on-failure' && failed)) {
        this.scheduleRestart(Date.now() - this.startedAt);
      } else {
        this._state = failed ? 'failed' : 'stopped';
      }
    });
  }

  private scheduleRestart(ranForMs: number): void {
    if (ranForMs > 30_000) this.backoffMs = this.spec.initialBackoffMs ?? 200;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.spec.maxBackoffMs ?? 10_000);
    this._state = 'backoff';
    this.logger.info({ child: this.spec.name, delayMs: delay }, 'restarting child');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this._restarts++;
      this.emit('restarting', this._restarts);
      void this.spawn();
    }, delay);
  }

  /** Stops the child: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      this._state = 'stopped';
      return;
    }
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });
    this._state = 'stopped';
  }
}

/**
 * For the child side: tell the parent we are ready, and exit when the parent goes away.
 * `shutdown` should close the role; the process exits after it (or after 10 s).
 */
export function reportReadyToParent(endpoints: Record<string, string>, shutdown: () => Promise<void>): void {
  if (!process.send) return;
  process.send({ type: 'ready', endpoints } satisfies ReadyMessage);
  process.once('disconnect', () => {
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void shutdown().finally(() => process.exit(0));
  });
}
