import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import type { Page } from 'playwright-core';
import { silentLogger } from '../../../src/core/log.js';
import { remoteIssuer, TlsIdentity } from '../../../src/core/tls/identity.js';
import { eventually } from '../../helpers/eventually.js';
import { REPO_ROOT, removeHome, startPlatform, viaGateway, type Platform } from '../../helpers/platform.js';
import { call, closeDispatchers, syncBody } from '../hub/support.js';
import type { TestCa } from '../../fixtures/test-ca.js';
import { launchBrowser, type TestBrowser } from './browser.js';

/**
 * The web console in a real browser (Debian's Chromium, driven by playwright-core) against a whole
 * platform started with `phoenix up`: log in, edit a stack and see the error at its line, deploy,
 * diff, roll back, read an instance's live log, watch metrics, scale qdrant_service from 2 to 3
 * replicas and see the third catch up and serve through the gateway, enroll a host and revoke its
 * certificate, create an API key and a user, and see that a viewer cannot deploy. Every page is
 * reached by keyboard too, and the browser reports no console errors. Screenshots of the main pages
 * go to docs/screenshots/.
 *
 */
const SHOTS = join(REPO_ROOT, 'docs', 'screenshots');

describe('the web console in Chromium', { timeout: 300_000 }, () => {
  let p: Platform;
  let b: TestBrowser;
  let page: Page;
  const hub = () => ({ ca: { rootPem: p.rootPem } as TestCa, url: p.hubUrl });

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const go = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  };

  before(async () => {
    p = await startPlatform();
    b = await launchBrowser();
    page = b.page;
  });
  after(async () => {
    await b?.close();
    await p?.stop();
    removeHome(p);
    await closeDispatchers();
  });

  test('log in with the keyboard; the dashboard shows every role healthy and the replica running', async () => {
    await page.goto(p.hubUrl);
    await page.getByRole('heading', { name: 'Phoenix' }).waitFor();
    await shot('login');
    // The password field has focus; the username is prefilled.
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    b.problems.length = 0; // the refused login is a 401 the browser reports; nothing else may be
    await page.getByLabel('Password').fill(p.adminPassword);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), 'admin');
    const roles = page.getByRole('region', { name: 'Roles' });
    await eventually(async () => {
      for (const role of ['ca', 'hub', 'agent', 'router', 'gateway']) {
        const row = roles.getByRole('row').filter({ has: page.getByRole('cell', { name: role, exact: true }) });
        assert.equal(await row.getByText('healthy', { exact: true }).count(), 1, `${role} healthy`);
      }
    }, 20_000);
    await page.getByRole('cell', { name: 'qdrant_service-qdrant-1' }).waitFor();
    await shot('dashboard');
  });

  test('keyboard: a skip link first, every page reachable from the navigation, tabs move with arrow keys', async () => {
    await page.keyboard.press('Tab');
    assert.equal(await focused(page, 'textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await focused(page, 'id'), 'main');
    // Tab from the top to the Stacks link and follow it with Enter.
    await page.locator('.brand').focus();
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await focused(page, 'textContent')) === 'Stacks';
    }
    assert.ok(found, 'the Stacks link is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Stacks', level: 1 }).waitFor();
    assert.equal(await focused(page, 'id'), 'page-title', 'focus moves to the new page’s heading');
    await page.getByRole('link', { name: 'qdrant_service' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Editor' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getByRole('tab', { name: 'Editor' }).getAttribute('aria-selected'), 'true');
  });

  test('edit the stack with a bad value: the error shows at its line before anything is stored', async () => {
    await page.goto(`${p.hubUrl}/stacks/qdrant_service`);
    const editor = page.getByRole('textbox', { name: /Stack file qdrant_service/ });
    await editor.waitFor();
    const original = await editor.inputValue();
    await editor.fill(original.replace('replicas: 1', 'replicas: many'));
    const problem = page.getByTestId('stack-problem');
    await problem.first().waitFor();
    assert.equal(await problem.first().textContent(), 'Line 5:15');
    await page.getByRole('list', { name: 'Problems in the stack file' }).getByText('services.qdrant.replicas').waitFor();
    assert.match((await page.getByRole('list', { name: 'Problems in the stack file' }).textContent()) ?? '', /expected number/i);
    assert.equal(await page.locator('.gutter-line[data-line="5"]').getAttribute('class'), 'gutter-line gutter-bad');
    assert.equal(await page.getByRole('button', { name: 'Deploy' }).isDisabled(), true, 'an invalid stack cannot be deployed');
    // The problem is a button that puts the cursor on its line.
    await problem.first().click();
    const cursorLine = await editor.evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number };
      return area.value.slice(0, area.selectionStart).split('\n').length;
    });
    assert.equal(cursorLine, 5);
    // A value out of bounds, with its reason, at its line.
    await editor.fill(original.replace('replicas: 1', 'replicas: 65'));
    await page.getByText(/Too big: expected number to be <=64/).first().waitFor();
    assert.equal(await problem.first().textContent(), 'Line 5:15');
    await shot('stack-editor-error');
    // A good change: one more host name for the router. It is stored and deployed (no restart needed).
    await editor.fill(original.replace('phoenix.router.host: qdrant ', 'phoenix.router.host: qdrant, vectors '));
    await page.getByText('valid', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('status').filter({ hasText: 'Version 2 stored and deployed.' }).waitFor();
    const stored = await call(hub(), 'GET', '/api/stacks/qdrant_service', { token: await login(p) });
    assert.equal(stored.json.version, 2);
    assert.deepEqual(stored.json.services[0].router.hosts, ['qdrant', 'vectors']);
  });

  test('history with a diff, and roll back to version 1', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('button', { name: 'Changes in version 2' }).click();
    const diff = page.getByLabel('Changes from version 1 to 2');
    await diff.waitFor();
    assert.equal(await diff.locator('.diff-del').count(), 1);
    assert.match((await diff.locator('.diff-add').textContent()) ?? '', /phoenix\.router\.host: qdrant, vectors/);
    await shot('stack-history');
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back qdrant_service to version 1?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled back to version 1: stored as version 3 and deploying.' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'rollback to version 1' }).waitFor();
    const stored = await call(hub(), 'GET', '/api/stacks/qdrant_service', { token: await login(p) });
    assert.equal(stored.json.version, 3);
    assert.deepEqual(stored.json.services[0].router.hosts, ['qdrant']);
  });

  test('open an instance’s live log; new lines arrive while the page is open', async () => {
    await go('Instances');
    await shot('instances');
    await page.getByRole('link', { name: 'Logs of qdrant_service-qdrant-1' }).click();
    await page.getByRole('heading', { name: 'Logs of qdrant_service-qdrant-1' }).waitFor();
    const log = page.getByTestId('log-lines');
    await eventually(async () => assert.match((await log.textContent()) ?? '', /"role":"vector"/), 20_000);
    await page.getByText('live', { exact: true }).waitFor();
    // Requests through the gateway make the replica write new lines (its access log).
    const before = ((await log.textContent()) ?? '').split('\n').length;
    await eventually(async () => {
      await viaGateway(p, 'GET', '/collections/does_not_exist');
      assert.ok(((await log.textContent()) ?? '').split('\n').length > before, 'new lines arrived');
    }, 20_000, 500);
    await shot('logs');
  });

  test('metrics, router view and environments show what the roles report', async () => {
    for (let i = 0; i < 20; i++) await viaGateway(p, 'GET', '/collections');
    await go('Metrics');
    await page.getByRole('region', { name: 'qdrant_service/qdrant' }).waitFor({ timeout: 30_000 });
    await eventually(async () => {
      await page.reload();
      const label = await page.getByRole('img', { name: /^Requests\/s:/ }).getAttribute('aria-label', { timeout: 3000 });
      assert.match(label ?? '', /Requests\/s: [\d.]+ req\/s now, peak [1-9][\d.]* req\/s/);
    }, 30_000, 1000);
    await shot('metrics');
    await go('Router');
    await page.getByText(/Route: Host\(`qdrant`\) \+ default route/).waitFor();
    await shot('router');
    await go('Environments');
    await page.getByText('connected', { exact: true }).first().waitFor();
    await shot('environments');
  });

  test('scale qdrant_service from 2 to 3: the third replica catches up, becomes healthy and receives traffic through the gateway', async () => {
    await page.goto(`${p.hubUrl}/stacks/qdrant_service`);
    const replicas = page.getByRole('spinbutton', { name: 'Replicas of qdrant' });
    const scaleTo = async (n: number) => {
      await replicas.fill(String(n));
      await page.getByRole('button', { name: 'Scale qdrant' }).click();
      await page.getByRole('status').filter({ hasText: `Scaled qdrant to ${n}` }).waitFor();
    };
    const row = (id: string) => page.getByRole('table', { name: 'Replicas of qdrant_service/qdrant' }).locator(`tr[data-replica="${id}"]`);
    const caughtUp = async (id: string) =>
      eventually(async () => {
        const cells = await row(id).getByRole('cell').allTextContents();
        // agent, role, applied, lag, in sync, ready, detail
        assert.equal(cells[1], 'follower', `${id}: ${cells.join(' | ')}`);
        assert.equal(cells[3], '0');
        assert.equal(cells[4], 'yes');
        assert.equal(cells[5], 'ready');
        return Number(cells[2]);
      }, 120_000, 500);
    await scaleTo(2);
    await caughtUp('qdrant_service-qdrant-2');
    // Data written through the gateway while there are two replicas.
    assert.equal((await viaGateway(p, 'PUT', '/collections/console_scale', { vectors: { size: 4, distance: 'Cosine' } })).status, 200);
    const points = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, vector: [1, i + 1, 2, 3], payload: { n: i + 1 } }));
    assert.equal((await viaGateway(p, 'PUT', '/collections/console_scale/points?wait=true', { points })).status, 200);
    await scaleTo(3);
    const applied = await caughtUp('qdrant_service-qdrant-3');
    assert.ok(applied >= 2, `the third replica applied the log (position ${applied})`);
    await page.getByRole('region', { name: 'Replica sets' }).evaluate((el) => (el as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'end' }));
    await shot('replication');
    // Reads through the gateway reach the third replica, which answers with the data written before it existed.
    await eventually(async () => {
      const res = await request(`${p.gatewayUrl}/collections/console_scale/points/42`, { dispatcher: p.agent, headers: { 'api-key': p.apiKey } });
      const body = (await res.body.json()) as { result?: { payload?: { n?: number } } };
      assert.equal(res.statusCode, 200);
      assert.equal(body.result?.payload?.n, 42);
      assert.equal(res.headers['x-phoenix-served-by'], 'qdrant_service-qdrant-3');
    }, 60_000, 50);
    await go('Instances');
    await page.getByRole('row').filter({ hasText: 'qdrant_service-qdrant-3' }).getByText('healthy', { exact: true }).waitFor();
  });

  test('enroll a host with a one-time token, then revoke its certificate from the certificates page', async () => {
    await go('Environments');
    await page.getByLabel('Agent name (optional)').fill('edge-1');
    await page.getByRole('button', { name: 'Create enrollment token' }).click();
    const command = await page.getByLabel('Run on the new host').inputValue();
    const token = /--token (\S+)/.exec(command)?.[1] as string;
    assert.match(command, /^phoenix agent enroll --hub https:\/\/\S+ --fingerprint [0-9a-f]{64} --token phxenr_\S+ --name edge-1$/);
    // The host's side: exchange the token, get the agent certificate from the CA, sync once.
    const grant = (await call(hub(), 'POST', '/api/enroll', { body: { token, name: 'edge-1' } })).json;
    const identity = await TlsIdentity.obtain({ trustDomain: grant.trustDomain, role: 'agent', name: 'edge-1' }, remoteIssuer({ url: grant.caUrl, rootPem: p.rootPem }, async () => grant.caToken), { logger: silentLogger() });
    assert.equal((await call(hub(), 'POST', '/api/agent/sync', { identity, body: syncBody('edge-1') })).status, 200);
    await page.getByRole('cell', { name: 'used', exact: true }).waitFor();

    await go('Certificates');
    const serial = identity.current.serialNumber.toUpperCase().replace(/^0+/, '');
    const row = page.getByRole('row').filter({ hasText: 'spiffe://phoenix.internal/agent/edge-1' });
    await row.waitFor();
    await shot('certificates');
    await row.getByRole('button', { name: /^Revoke/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this certificate?' });
    await dialog.getByLabel('Reason').selectOption('cessationOfOperation');
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await page.getByRole('status').filter({ hasText: `Revoked spiffe://phoenix.internal/agent/edge-1 (serial ${serial})` }).waitFor();
    await row.getByText('revoked', { exact: true }).waitFor();
    // The host is refused from now on, and the console says why.
    const again = await call(hub(), 'POST', '/api/agent/sync', { identity, body: syncBody('edge-1') }).then((r) => r.status, () => 0);
    assert.notEqual(again, 200);
    await go('Environments');
    await page.getByText(/unreachable: its certificate \(serial [0-9A-F]+\) was revoked/).waitFor();
  });

  test('API keys and users: a token is shown once; a new viewer can log in', async () => {
    await go('API keys');
    await page.getByLabel('Name').fill('ci-deploy');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByRole('textbox', { name: 'New API token' }).inputValue();
    assert.match(secret, /^phx_/);
    const res = await request(`${p.hubUrl}/api/stacks`, { dispatcher: p.agent, headers: { authorization: `Bearer ${secret}` } });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
    await page.getByRole('row').filter({ hasText: 'ci-deploy' }).getByRole('button', { name: 'Delete API token ci-deploy' }).waitFor();
    await shot('api-keys');
    await go('Users');
    await page.getByLabel('Username', { exact: true }).fill('vera');
    await page.getByLabel('Password', { exact: true }).fill('vera-password-1');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'User vera created (viewer).' }).waitFor();
    await shot('users');
    await go('Audit log');
    await page.getByRole('cell', { name: 'certificate.revoke' }).waitFor();
    await page.getByRole('cell', { name: 'stack.rollback', exact: true }).waitFor();
    await shot('audit');
  });

  test('a viewer cannot deploy: no deploy or rollback controls, a read-only editor, and no admin pages', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Username').fill('vera');
    await page.getByLabel('Password').fill('vera-password-1');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), 'vera');
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);
    await go('Stacks');
    assert.equal(await page.getByRole('link', { name: 'New stack' }).count(), 0);
    await page.getByRole('link', { name: 'qdrant_service' }).click();
    const editor = page.getByRole('textbox', { name: /Stack file qdrant_service/ });
    await editor.waitFor();
    assert.equal(await editor.getAttribute('readonly'), '');
    assert.equal(await page.getByRole('button', { name: 'Deploy' }).count(), 0);
    await page.getByText('You are a viewer: deploying needs the operator role.').waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('row').filter({ hasText: 'rollback to version 1' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Roll back to version/ }).count(), 0);
    await shot('viewer-stack');
    // The API refuses the viewer too (the console only hides what the hub would refuse).
    const cookies = await b.context.cookies(p.hubUrl);
    const session = cookies.find((c) => c.name === 'phoenix_session')?.value as string;
    const put = await call(hub(), 'PUT', '/api/stacks/qdrant_service', { token: session, raw: { contentType: 'application/yaml', text: 'name: qdrant_service\n' } });
    assert.equal(put.status, 403);
    assert.equal(put.json.code, 'HUB_FORBIDDEN_ROLE');
  });

  test('the browser reported no console errors or warnings on any page', () => {
    assert.deepEqual(b.problems, []);
  });
});

/** A property of the focused element (evaluated in the page). */
function focused(page: Page, property: 'id' | 'textContent'): Promise<string | null> {
  return page.evaluate(`document.activeElement ? document.activeElement.${property} : null`);
}

async function login(p: Platform): Promise<string> {
  const res = await request(`${p.hubUrl}/api/auth/login`, { method: 'POST', dispatcher: p.agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: p.adminPassword }) });
  return ((await res.body.json()) as { token: string }).token;
}
