import { Document, isMap, isScalar, parseDocument } from 'yaml';
import { NotFoundError } from '../../core/errors.js';
import { parseStack } from './parse.js';

/**
 * Edits of stack files that keep everything else as written: a changed value is replaced where it
 * is written; a new key or service goes through the YAML document (comments and order are kept).
 */
export function setReplicas(yaml: string, service: string, replicas: number): string {
  const stack = parseStack(yaml);
  if (!stack.services[service]) throw new NotFoundError('HUB_SERVICE_NOT_FOUND', `stack "${stack.name}" has no service "${service}"; services: ${Object.keys(stack.services).join(', ')}`);
  const doc = parseDocument(yaml);
  const node = doc.getIn(['services', service, 'replicas'], true);
  // Replace the number where it is written, so the rest of the file stays byte for byte.
  if (isScalar(node) && node.range) return `${yaml.slice(0, node.range[0])}${replicas}${yaml.slice(node.range[1])}`;
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
  const doc = yaml === undefined ? new Document({ name: stack, services: {} }) : parseDocument(yaml);
  const services = doc.get('services');
  const existing = isMap(services) ? services.get(service) : undefined;
  if (existing && yaml !== undefined) {
    const current = Number(doc.getIn(['services', service, 'replicas']) ?? 1);
    return current < slot ? setReplicas(yaml, service, slot) : yaml;
  } else {
    const def: Record<string, unknown> = { runtime: found.runtime, replicas: slot };
    if (found.command !== undefined) def['command'] = found.command;
    if (found.args !== undefined) def['args'] = found.args;
    if (found.env !== undefined && Object.keys(found.env).length > 0) def['env'] = found.env;
    if (found.healthPath !== undefined) def['healthcheck'] = { path: found.healthPath };
    if (!isMap(services)) doc.set('services', doc.createNode({}));
    const node = doc.createNode(def);
    node.flow = false;
    doc.setIn(['services', service], node);
    const map = doc.get('services');
    if (isMap(map)) map.flow = false;
  }
  const text = doc.toString();
  parseStack(text); // the result must be a valid stack
  return text;
}
