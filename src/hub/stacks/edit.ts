import { isMap, parseDocument } from 'yaml';
import { NotFoundError } from '../../core/errors.js';
import { parseStack } from './parse.js';

/**
 * Edits of stack files that keep everything else as written (comments, order, quoting): the YAML
 * document is changed in place and printed again.
 */
export function setReplicas(yaml: string, service: string, replicas: number): string {
  const stack = parseStack(yaml);
  if (!stack.services[service]) throw new NotFoundError('HUB_SERVICE_NOT_FOUND', `stack "${stack.name}" has no service "${service}"; services: ${Object.keys(stack.services).join(', ')}`);
  const doc = parseDocument(yaml);
  doc.setIn(['services', service, 'replicas'], replicas);
  return doc.toString();
}

/** A service definition recreated from what an agent reports about an instance it found. */
export interface FoundService {
  runtime: string;
  command?: string | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  healthPath?: string | undefined;
}

/**
 * Makes stack `stack` (`yaml` is its current text, undefined when it does not exist) ask for
 * instance `slot` of `service`: raises its replicas to `slot` when it has the service, else adds
 * the service as found.
 */
export function includeInstance(yaml: string | undefined, stack: string, service: string, slot: number, found: FoundService): string {
  const doc = parseDocument(yaml ?? `name: ${stack}\nservices: {}\n`);
  const services = doc.get('services');
  const existing = isMap(services) ? services.get(service) : undefined;
  if (existing) {
    const current = Number(doc.getIn(['services', service, 'replicas']) ?? 1);
    if (current < slot) doc.setIn(['services', service, 'replicas'], slot);
  } else {
    const def: Record<string, unknown> = { runtime: found.runtime, replicas: slot };
    if (found.command !== undefined) def['command'] = found.command;
    if (found.args !== undefined) def['args'] = found.args;
    if (found.env !== undefined && Object.keys(found.env).length > 0) def['env'] = found.env;
    if (found.healthPath !== undefined) def['healthcheck'] = { path: found.healthPath };
    if (!isMap(services)) doc.set('services', doc.createNode({}));
    doc.setIn(['services', service], doc.createNode(def));
  }
  const text = doc.toString();
  parseStack(text); // the result must be a valid stack
  return text;
}
