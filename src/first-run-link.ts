/**
 * What `gatehouse serve` does on a database with no user (as Jenkins and
 * Gitea do): print a one-time link to create the first account. The token is
 * printed once, to the operator's terminal, and stored only as a hash; it is
 * never written to the structured log.
 */
import { issueSetupToken } from './core/first-run.js';
import type { Instance } from './server.js';

export async function announceFirstRun(instance: Pick<Instance, 'services'>, issuer: string, print: (line: string) => void): Promise<string | undefined> {
  const { services } = instance;
  if ((await services.stores.users.countUsers()) > 0) return undefined;
  const token = await issueSetupToken(services.setupTokens);
  const link = `${issuer}/setup?${new URLSearchParams({ token })}`;
  print('');
  print('Gatehouse has no account yet. Open this link to create the first one (it works once):');
  print(`  ${link}`);
  print('(or run: gatehouse users create --username U --password P)');
  print('');
  return link;
}
