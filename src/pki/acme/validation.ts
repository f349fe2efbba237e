import { errorMessage } from '../../core/errors.js';
import { sleep } from '../../core/lifecycle.js';
import type { AcmeContext } from './context.js';
import { keyAuthorization } from './challenges/key-authorization.js';
import { validateDns01 } from './challenges/dns01.js';
import { validateHttp01 } from './challenges/http01.js';
import { validateTlsAlpn01 } from './challenges/tls-alpn01.js';
import { AcmeError } from './problem.js';
import type { AcmeAccount, AcmeAuthz, AcmeChallenge } from './records.js';

/** Observes validation outcomes (metrics). */
export type ValidationObserver = (type: AcmeChallenge['type'], ok: boolean) => void;

async function attempt(ctx: AcmeContext, challenge: AcmeChallenge, authz: AcmeAuthz, account: AcmeAccount): Promise<void> {
  const keyAuth = keyAuthorization(challenge.token, account.thumbprint);
  const ports = ctx.provisioner.config.challengePorts;
  switch (challenge.type) {
    case 'http-01':
      return validateHttp01(authz.identifier, challenge.token, keyAuth, ports.http01);
    case 'tls-alpn-01':
      return validateTlsAlpn01(authz.identifier, keyAuth, ports.tlsAlpn01);
    case 'dns-01':
      return validateDns01(authz.identifier.value, keyAuth, ctx.provisioner.config.dnsResolvers);
    default: {
      const never: never = challenge.type;
      throw new Error(`unknown challenge type ${String(never)}`);
    }
  }
}

/**
 * Validates a challenge the client said is ready (status `processing`), retrying connection errors
 * for a few seconds (a responder that is still starting), then moves challenge, authorization and
 * order: all authorizations valid → order `ready`; a failure makes the authorization and the order
 * `invalid` with the problem that explains it.
 */
export async function runValidation(ctx: AcmeContext, challenge: AcmeChallenge, authz: AcmeAuthz, account: AcmeAccount, observe?: ValidationObserver): Promise<void> {
  const deadline = Date.now() + ctx.provisioner.config.validationRetry;
  let failure: AcmeError | undefined;
  for (;;) {
    try {
      await attempt(ctx, challenge, authz, account);
      failure = undefined;
      break;
    } catch (err) {
      failure = err instanceof AcmeError ? err : new AcmeError('serverInternal', `validation failed: ${errorMessage(err)}`);
      const retryable = failure.acmeType === 'connection' || failure.acmeType === 'dns';
      if (!retryable || Date.now() >= deadline || ctx.signal.aborted) break;
      try {
        await sleep(300, ctx.signal);
      } catch {
        break;
      }
    }
  }
  if (ctx.signal.aborted) return;
  const { store } = ctx;
  if (!failure) {
    store.moveChallenge(challenge.id, ['processing'], 'valid', { validated: new Date() });
    store.moveAuthz(authz.id, ['pending'], 'valid');
    if (store.authzsOf(authz.orderId).every((z) => z.status === 'valid')) store.moveOrder(authz.orderId, ['pending'], 'ready');
    ctx.logger.info({ challenge: challenge.id, type: challenge.type, identifier: authz.identifier.value }, 'ACME challenge valid');
  } else {
    const problem = failure.toProblem();
    store.moveChallenge(challenge.id, ['processing'], 'invalid', { error: problem });
    store.moveAuthz(authz.id, ['pending'], 'invalid');
    store.moveOrder(authz.orderId, ['pending', 'ready'], 'invalid', { error: problem });
    ctx.logger.info({ challenge: challenge.id, type: challenge.type, identifier: authz.identifier.value, problem: problem.detail }, 'ACME challenge invalid');
  }
  observe?.(challenge.type, !failure);
}
