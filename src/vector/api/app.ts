import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TlsOptions } from 'node:tls';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import type { ApiReplication } from '../replication/api-hooks.js';
import { NotLeaderError } from '../replication/errors.js';
import { LocalMutator } from '../replication/mutator.js';
import { SnapshotStore } from '../snapshots/snapshot-store.js';
import { Snapshots } from '../snapshots/snapshots.js';
import { parseJsonText } from './body.js';
import { renderError, sendError } from './envelope.js';
import { VectorMetrics } from './metrics.js';
import { QueryExecutor } from '../query/executor.js';
import { aliasRoutes } from './routes/aliases.js';
import { collectionRoutes } from './routes/collections.js';
import { legacyRoutes } from './routes/legacy.js';
import { payloadRoutes } from './routes/payload.js';
import { pointRoutes } from './routes/points.js';
import { queryRoutes } from './routes/query.js';
import { quotaRoutes } from './routes/quotas.js';
import { scrollRoutes } from './routes/scroll.js';
import { serviceRoutes } from './routes/service.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { Telemetry } from './telemetry.js';

export interface VectorAppOptions {
  logger: Logger;
  /** Largest accepted request body; Qdrant's default is 32 MB. */
  bodyLimitBytes?: number;
  /** Serve HTTPS with these settings (mTLS in production); plain HTTP when unset (tests). */
  https?: TlsOptions;
  /** Where snapshots are kept (default `<dataDir>/snapshots`). */
  snapshotsDir?: string;
  /**
   * The replica set this replica belongs to: writes go through its seam (to the leader), and its
   * routes and hooks are registered. Unset: writes apply locally, as a single replica.
   */
  replication?: ApiReplication;
}

export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

/**
 * The Qdrant-compatible REST API over an engine, as a Fastify app that is not yet listening.
 * Requests are logged with their `x-request-id` (generated when absent and echoed back), counted
 * in `/metrics`, and every error is rendered once, in Qdrant's envelope.
 */
export function buildVectorApp(engine: Engine, options: VectorAppOptions): FastifyInstance {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit,
    requestIdHeader: 'x-request-id',
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID(),
    // Collection names may have 255 characters (find-my-way's default cap is 100); allow `/collections/`.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  const metrics = new VectorMetrics(engine);

  app.decorateRequest('startedAt', 0n);
  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = process.hrtime.bigint();
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  // JSON bodies, parsed here so that bad JSON gets Qdrant's `Format error in JSON body`.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, parseJsonText(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Snapshot uploads (multipart/form-data) arrive as raw bytes; the route finds the `snapshot` field.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });

  const replication = options.replication;
  app.setErrorHandler(async (err, request, reply) => {
    // A write that reached this replica while it stopped being the leader goes to the new one.
    if (err instanceof NotLeaderError && replication && !reply.sent) {
      try {
        await replication.redirect(request, reply);
        if (reply.sent) return reply;
      } catch (forwardErr) {
        err = forwardErr as typeof err;
      }
    }
    const rendered = renderError(err, request);
    if (rendered.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ status: rendered.status, error: rendered.message }, 'request rejected');
    return sendError(request, reply, rendered);
  });
  // Like Qdrant (actix), unknown routes are a bare 404.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(''));

  const executor = new QueryExecutor((name) => engine.get(name));
  const snapshotsDir = options.snapshotsDir ?? join(engine.dataDir, 'snapshots');
  let snapshots: Snapshots | undefined;
  const getSnapshots = () => (snapshots ??= new Snapshots(engine, new SnapshotStore(snapshotsDir)));
  // The one seam of every write: local apply for a single replica, the leader for a replica set.
  const mutator = replication?.mutator ?? new LocalMutator(engine, getSnapshots);
  replication?.register(app);
  serviceRoutes(app, metrics, new Telemetry(engine, metrics.stats), replication ? () => replication.ready() : undefined);
  collectionRoutes(app, engine, mutator);
  aliasRoutes(app, engine, mutator);
  pointRoutes(app, engine, mutator);
  payloadRoutes(app, engine, mutator);
  scrollRoutes(app, engine);
  queryRoutes(app, engine, executor);
  legacyRoutes(app, engine, executor);
  quotaRoutes(app, engine);
  snapshotRoutes(app, engine, snapshotsDir, getSnapshots, mutator);
  return app;
}
