/**
 * SPEC §9 "Consent for such apps": the consent page of an app that registered
 * itself (or a metadata-document app) says so and names the host its redirect
 * goes to, in place of a root domain nobody vouched for.
 */
import type { App } from '../core/model.js';
import { NO_ROOT_DOMAIN } from '../core/registration-metadata.js';

function hostOf(redirectUri: string | undefined): string | undefined {
  if (redirectUri === undefined) return undefined;
  try {
    const url = new URL(redirectUri);
    return url.host === '' ? url.protocol.slice(0, -1) : url.host;
  } catch {
    return undefined;
  }
}

/** The ConsentPage props for such an app (its own host as the domain shown), or none. */
export function selfRegisteredConsent(app: App, redirectUri: string | undefined): { selfRegistered?: { redirectHost: string | undefined }; rootDomain?: string } {
  if (!app.registration) return {};
  const redirectHost = hostOf(redirectUri);
  const shown = redirectHost ?? (app.rootDomain === NO_ROOT_DOMAIN ? undefined : app.rootDomain);
  return { selfRegistered: { redirectHost }, ...(shown === undefined ? {} : { rootDomain: shown }) };
}
