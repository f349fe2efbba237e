import { createHmac } from 'node:crypto';

/** An HS256 JWT signed with `secret` (the API key), as Qdrant's tools and `phoenix keys create` make them. */
export function signTestJwt(claims: Record<string, unknown>, secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
