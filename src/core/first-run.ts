/**
 * First run (as Jenkins and Gitea do it): a server whose database has no user
 * prints a link carrying a random one-time token; whoever opens it creates the
 * first account. Only the token's hash is stored (in the shared settings, so
 * whichever instance gets the request can honour it), and taking it is one
 * atomic delete, so two racing requests cannot both create a "first" account.
 */
import { hashSecret, mintSecret, secretMatches } from './tokens.js';

export interface SetupTokenStore {
  /** Replaces any earlier setup token's hash. */
  saveSetupHash(hash: string): Promise<void>;
  findSetupHash(): Promise<string | undefined>;
  /** Deletes the hash if it is still `hash`; true for exactly one caller. */
  takeSetupHash(hash: string): Promise<boolean>;
}

export async function issueSetupToken(store: Pick<SetupTokenStore, 'saveSetupHash'>): Promise<string> {
  const token = mintSecret();
  await store.saveSetupHash(hashSecret(token));
  return token;
}

export async function setupTokenValid(store: Pick<SetupTokenStore, 'findSetupHash'>, token: string | undefined): Promise<boolean> {
  if (token === undefined || token === '') return false;
  const hash = await store.findSetupHash();
  return hash !== undefined && secretMatches(token, hash);
}

/** Spends the token: true once, for the request that may create the first account. */
export async function consumeSetupToken(store: SetupTokenStore, token: string | undefined): Promise<boolean> {
  if (!(await setupTokenValid(store, token))) return false;
  return store.takeSetupHash(hashSecret(token!));
}

/**
 * Creates the first account with the setup token, spending it. When the
 * account cannot be created (a username or password the rules refuse), the
 * token is put back so the operator can correct the form.
 */
export async function createFirstAccount<T>(store: SetupTokenStore, token: string | undefined, create: () => Promise<T>): Promise<T | undefined> {
  if (!(await consumeSetupToken(store, token))) return undefined;
  try {
    return await create();
  } catch (error) {
    await store.saveSetupHash(hashSecret(token!));
    throw error;
  }
}
