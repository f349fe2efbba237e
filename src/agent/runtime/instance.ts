import { X509Certificate } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.js';
import type { ProbeTarget } from '../monitoring/probe.js';
import type { DesiredInstance, InstanceState, ReportedInstance } from '../report/hub-client.js';
import type { InstancePaths } from './replica-config.js';

/**
 * One instance an agent holds, whatever its runtime. Emits `change` when its state changes.
 * The manager health-checks it through `target()` and passes the results to `healthChanged`.
 */
export interface ManagedInstance extends EventEmitter {
  readonly spec: DesiredInstance;
  readonly paths: InstancePaths;
  readonly state: InstanceState;
  start(): void;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it is gone. */
  stop(graceMs: number): Promise<void>;
  /** Where and how to reach it for health checks and metrics, while it should answer. */
  target(): ProbeTarget | undefined;
  /** True when its own readiness signal stands in for health checks it cannot run (no credentials yet). */
  readyWithoutProbe(): boolean;
  healthChanged(healthy: boolean): void;
  /** The certificate the instance serves with, when the agent can read it. */
  certificate(): InstanceCertificate | undefined;
  report(): Omit<ReportedInstance, 'health' | 'metrics' | 'origin' | 'specHash' | 'runtime' | 'spec'>;
}

export interface InstanceCertificate {
  serial: string;
  notAfter: string;
  identity: string;
}

/** Serial, expiry and SPIFFE identity of the first certificate of a PEM chain. */
export function certificateOf(chainPem: string, identity: string): InstanceCertificate | undefined {
  try {
    const cert = new X509Certificate(chainPem);
    return { serial: cert.serialNumber.toUpperCase(), notAfter: new Date(cert.validTo).toISOString(), identity };
  } catch {
    return undefined;
  }
}

/** What every runtime needs from the agent. */
export interface RuntimeContext {
  agentDataDir: string;
  trustDomain: string;
  advertiseAddress: string;
  ca: { url: string; rootFile: string };
  /** Trust roots (PEM) for the platform's certificates. */
  rootPem: string;
  /** The Node script run as `<phoenixBin> run vector --config <file>` (embedded). */
  phoenixBin: string;
  readyTimeoutMs: number;
  /** A fresh one-time CA token for an instance (asked of the hub). */
  token: (instanceId: string) => Promise<string>;
  logger: Logger;
}

/** Restart backoff: 200 ms doubling to 10 s, back to 200 ms after a run of 30 s. */
export class Backoff {
  private next = 200;
  delay(ranForMs: number): number {
    if (ranForMs > 30_000) this.next = 200;
    const d = this.next;
    this.next = Math.min(this.next * 2, 10_000);
    return d;
  }
}

export type ExitRecord = { code: number | null; signal: string | null; at: number };

export function exitWire(e: ExitRecord | undefined): ReportedInstance['lastExit'] | undefined {
  return e ? { code: e.code, signal: e.signal, at: new Date(e.at).toISOString() } : undefined;
}
