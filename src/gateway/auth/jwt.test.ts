import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { verifyQdrantJwt } from './jwt.js';

const SECRET = 'the-api-key-0123456789';
const key = new TextEncoder().encode(SECRET);
const sign = (claims: Record<string, unknown>, alg = 'HS256', secret = key) => new SignJWT(claims).setProtectedHeader({ alg }).sign(secret);
const now = Math.floor(Date.now() / 1000);

test('tokens made by a standard library verify, with their access claim', async () => {
  assert.deepEqual(verifyQdrantJwt(await sign({ access: 'r' }), Buffer.from(SECRET)).access, 'r');
  assert.deepEqual(verifyQdrantJwt(await sign({}), Buffer.from(SECRET)).access, 'm', 'no access claim means manage');
  const scoped = verifyQdrantJwt(await sign({ access: [{ collection: 'c', access: 'rw' }], exp: now + 60, sub: 'etl' }), Buffer.from(SECRET));
  assert.deepEqual(scoped, { access: [{ collection: 'c', access: 'rw' }], exp: now + 60, subject: 'etl' });
});

test('refusals: wrong secret, other algorithms, tampering, expiry past the leeway, malformed claims', async () => {
  const refuse = async (token: string | Promise<string>, why: RegExp) => assert.throws(() => verifyQdrantJwt(token as string, Buffer.from(SECRET)), why);
  await refuse(await sign({ access: 'm' }, 'HS256', new TextEncoder().encode('another-secret-0000')), /bad signature/);
  await refuse(await sign({ access: 'm' }, 'HS512'), /only HS256/);
  const good = await sign({ access: 'r' });
  const [h, , s] = good.split('.');
  await refuse(`${h}.${Buffer.from('{"access":"m"}').toString('base64url')}.${s}`, /bad signature/);
  await refuse(await sign({ exp: now - 31 }), /expired/);
  assert.doesNotThrow(() => verifyQdrantJwt(good, Buffer.from(SECRET)));
  await refuse(await sign({ access: 'x' }), /bad claims/);
  await refuse(await sign({ access: [] }), /bad claims/);
  await refuse('not.a.jwt', /only HS256/);
  await refuse('abc', /not a JWT/);
});
