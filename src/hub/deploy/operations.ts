import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Fleet } from '../fleet.js';
import type { CurrentStack, StackCatalog } from '../stacks/catalog.js';
import { includeInstance, setReplicas, type FoundService } from '../stacks/edit.js';
import { parseInstanceId } from '../stacks/instances.js';
import type { Rollout } from '../store/rollouts.js';
import type { Deployer } from './deployer.js';

export interface DeployResult {
  stack: CurrentStack;
  /** False when the text equals the latest version (nothing new was stored). */
  created: boolean;
  /** The rolling update started, when instances must be replaced. */
  rollout: Rollout | undefined;
}

/**
 * What users do to stacks: store a version and deploy it, roll back to any version, scale a
 * service, redeploy (rolling restart), adopt an instance found on an agent. Each stores a new
 * version when the stack text changes (the history says who and why) and deploys the latest.
 */
export class StackOperations {
  constructor(
    private readonly catalog: StackCatalog,
    private readonly deployer: Deployer,
    private readonly fleet: Fleet,
  ) {}

  deploy(name: string, yaml: string, author: string, note = 'edit'): DeployResult {
    const { current, created } = this.catalog.put(name, yaml, { author, note });
    const rollout = this.deployer.apply(name, { actor: author, kind: 'update' });
    this.fleet.reschedule();
    return { stack: current, created, rollout };
  }

  rollback(name: string, version: number, author: string): DeployResult {
    const target = this.catalog.version(name, version);
    const latest = this.catalog.get(name);
    if (latest.version.yaml === target.version.yaml) throw new ConflictError('HUB_ROLLBACK_NOTHING_TO_DO', `the latest version (${latest.version.version}) of "${name}" already equals version ${version}`);
    const { current, created } = this.catalog.put(name, target.version.yaml, { author, note: `rollback to version ${version}` });
    const rollout = this.deployer.apply(name, { actor: author, kind: 'rollback' });
    this.fleet.reschedule();
    return { stack: current, created, rollout };
  }

  scale(name: string, service: string, replicas: number, author: string): DeployResult {
    const latest = this.catalog.get(name);
    const yaml = setReplicas(latest.version.yaml, service, replicas);
    return this.deploy(name, yaml, author, `scale ${service} to ${replicas}`);
  }

  /** Restarts every instance of the stack, a batch at a time (a webhook's redeploy). */
  redeploy(name: string, author: string): DeployResult {
    const current = this.catalog.get(name);
    this.catalog.store.bumpGeneration(name);
    const rollout = this.deployer.apply(name, { actor: author, kind: 'redeploy' });
    this.fleet.reschedule();
    return { stack: current, created: false, rollout };
  }

  /** Makes a stack ask for an instance an agent found running and keeps it on that agent. */
  adopt(instanceId: string, author: string): DeployResult & { agent: string } {
    const view = this.fleet.instances().find((v) => v.id === instanceId && v.unmanaged);
    if (!view || !view.agent) throw new NotFoundError('HUB_INSTANCE_NOT_ADOPTABLE', `no agent reports an unmanaged instance "${instanceId}"`);
    const parts = parseInstanceId(instanceId);
    if (!parts) throw new ConflictError('HUB_INSTANCE_NOT_ADOPTABLE', `"${instanceId}" is not named <stack>-<service>-<n>, so no stack can ask for it`);
    const found = foundService(view.runtime ?? 'embedded', this.fleet.foundSpec(instanceId, view.agent));
    const yaml = includeInstance(this.catalog.has(parts.stack) ? this.catalog.get(parts.stack).version.yaml : undefined, parts.stack, parts.service, parts.slot, found);
    this.fleet.pin(instanceId, view.agent);
    return { ...this.deploy(parts.stack, yaml, author, `adopt ${instanceId} from agent ${view.agent}`), agent: view.agent };
  }
}

function foundService(runtime: string, spec: Record<string, unknown> | undefined): FoundService {
  const s = spec ?? {};
  const health = s['healthcheck'] as { path?: unknown } | undefined;
  return {
    runtime,
    command: typeof s['command'] === 'string' ? s['command'] : undefined,
    args: Array.isArray(s['args']) ? (s['args'] as unknown[]).map(String) : undefined,
    env: s['env'] && typeof s['env'] === 'object' ? (s['env'] as Record<string, string>) : undefined,
    healthPath: typeof health?.path === 'string' && health.path !== '/readyz' ? health.path : undefined,
  };
}
