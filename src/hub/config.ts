import { z } from 'zod';
import { commonSchema, durationMs, listenSchema, port } from '../core/config.js';

/**
 * The hub's static configuration. The CLI resolves `adminPassword` (from PHOENIX_ADMIN_PASSWORD or a
 * generated file) and passes the validated, frozen object to `startHub`.
 */
export const HUB_DEFAULT_PORT = 9443;

export const hubPeerSchema = z.strictObject({
  /** Role of the peer, e.g. `ca` or `gateway`. */
  role: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  name: z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/),
  /** HTTPS URL answering 2xx when the peer is healthy; checked trusting our root. */
  healthUrl: z.string().url(),
});
export type HubPeer = z.infer<typeof hubPeerSchema>;

export const hubConfigSchema = commonSchema.extend({
  listen: listenSchema.extend({ port: port.default(HUB_DEFAULT_PORT) }).prefault({}),
  ca: z.object({
    url: z.string().url(),
    rootFile: z.string(),
    /** The hub mints one-time CA tokens for the replicas its agents start. */
    provisionerKeyFile: z.string(),
    /**
     * The CA's `enroll` provisioner key: the tokens enrolling hosts get are signed with it, so the CA
     * issues them agent identities only. Without it, the `provisionerKeyFile` signs them too.
     */
    enrollKeyFile: z.string().optional(),
  }),
  adminPassword: z.string().min(8, 'the admin password must have at least 8 characters'),
  /** The hub's URL as users and hosts reach it (webhook URLs, enrollment commands); default: the request's Host. */
  publicUrl: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
    .optional(),
  /** Where the built web console is (default: dist/console of this installation). */
  consoleDir: z.string().optional(),
  agents: z
    .strictObject({
      /** Agents whose version differs from the hub's in this part are refused (and shown as unreachable, with the reason). */
      versionCheck: z.enum(['minor', 'major', 'off']).default('minor'),
    })
    .prefault({}),
  /** How often the hub reads the CA's CRL, to refuse certificates revoked elsewhere. */
  crlInterval: durationMs.prefault('30s'),
  /** Initial stack YAML, stored as version 1 when the hub has no version of that stack yet. */
  stackFile: z.string().optional(),
  peers: z.array(hubPeerSchema).default([]),
  /** How long a console/API session lasts. */
  sessionTtl: durationMs.prefault('12h'),
  login: z
    .strictObject({
      /** Failed logins from one client address before it is throttled. */
      maxFailures: z.number().int().min(1).default(5),
      /** First lockout; doubles with each further failure, up to `maxLockout`. */
      lockout: durationMs.prefault('30s'),
      maxLockout: durationMs.prefault('15m'),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** How often `peers` are checked. */
      peerInterval: durationMs.prefault('5s'),
      peerTimeout: durationMs.prefault('2s'),
      /** The agents' sync interval when an agent does not state its own. */
      agentSyncInterval: durationMs.prefault('1s'),
      /** An agent is unhealthy (and its instances leave discovery) after this many missed syncs. */
      missedSyncs: z.number().int().min(1).default(3),
      /** A router is unhealthy when it has not polled discovery for this long. */
      routerStaleAfter: durationMs.prefault('30s'),
      /** Instances move off an agent only after it has been silent this long and another is up. */
      reassignAfter: durationMs.prefault('10m'),
      /** How often rolling updates are advanced (they also advance on every agent sync). */
      deployTick: durationMs.prefault('250ms'),
    })
    .prefault({}),
});

export type HubConfig = z.output<typeof hubConfigSchema>;
