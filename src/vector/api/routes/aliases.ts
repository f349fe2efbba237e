import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AliasAction } from '../../engine/aliases.js';
import type { Engine } from '../../engine/engine.js';
import type { Mutator } from '../../replication/mutator.js';
import { parseBody } from '../body.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';

/** Aliases: change (create / delete / rename, applied all or nothing), list all, list a collection's. */
const actionSchema = z.union(
  [
    z.object({ create_alias: z.object({ collection_name: z.string(), alias_name: z.string() }) }),
    z.object({ delete_alias: z.object({ alias_name: z.string() }) }),
    z.object({ rename_alias: z.object({ old_alias_name: z.string(), new_alias_name: z.string() }) }),
  ],
  { error: 'data did not match any variant of untagged enum AliasOperations' },
);
const changeAliasesSchema = z.object({ actions: z.array(actionSchema) });

export function aliasRoutes(app: FastifyInstance, engine: Engine, mutator: Mutator): void {
  app.post('/collections/aliases', async (request, reply) => {
    const body = parseBody(changeAliasesSchema, request.body);
    const actions: AliasAction[] = body.actions.map((a) => {
      if ('create_alias' in a) return { type: 'create', alias: a.create_alias.alias_name, collection: a.create_alias.collection_name };
      if ('delete_alias' in a) return { type: 'delete', alias: a.delete_alias.alias_name };
      return { type: 'rename', from: a.rename_alias.old_alias_name, to: a.rename_alias.new_alias_name };
    });
    await mutator.submit({ type: 'aliases', actions }, { wait: true });
    return ok(request, reply, true);
  });

  app.get('/aliases', async (request, reply) => ok(request, reply, { aliases: engine.aliases.list() }));

  app.get('/collections/:name/aliases', async (request, reply) => {
    const name = collectionName(request);
    engine.get(name);
    return ok(request, reply, { aliases: engine.aliases.list(engine.resolve(name)) });
  });
}
