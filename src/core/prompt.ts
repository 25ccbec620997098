/**
 * What the person must do before an authorize request completes (SPEC §6 and
 * §7 "Prompt and age"; OIDC Core §3.1.2.1): sign in (again), consent, or
 * nothing. `prompt=none` turns "the person must act" into an error for the
 * app: login_required, consent_required or interaction_required.
 */
import { oauthError } from './errors.js';

export const PROMPT_VALUES = ['none', 'login', 'consent'] as const;
export type PromptValue = (typeof PROMPT_VALUES)[number];

/**
 * `prompt`: a space-separated list of PROMPT_VALUES. An unknown value is
 * invalid_request; `none` beside another value, or beside `confirm_login=1`
 * (which asks for consent), is interaction_required (SPEC §7).
 */
export function parsePrompt(raw: string | undefined, confirmLogin: boolean): ReadonlySet<PromptValue> {
  const values = new Set<PromptValue>();
  for (const value of (raw ?? '').split(' ').filter((part) => part !== '')) {
    if (!(PROMPT_VALUES as readonly string[]).includes(value)) {
      throw oauthError('invalid_request', `prompt value ${JSON.stringify(value.slice(0, 40))} is not supported; use none, login or consent`);
    }
    values.add(value as PromptValue);
  }
  if (values.has('none') && values.size > 1) throw oauthError('interaction_required', 'prompt=none cannot be combined with another prompt value');
  if (values.has('none') && confirmLogin) throw oauthError('interaction_required', 'prompt=none cannot be combined with confirm_login=1, which asks for consent');
  return values;
}

/** `max_age` (OIDC Core §3.1.2.1): a whole number of seconds, 0 or more; anything else is invalid_request. */
export function parseMaxAge(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw oauthError('invalid_request', 'max_age must be a whole number of seconds, 0 or more');
  return Number(raw);
}

/** What the decision reads of the request. */
export interface InteractionRequest {
  prompt: ReadonlySet<PromptValue>;
  forceLogin: boolean;
  confirmLogin: boolean;
  maxAge: number | undefined;
}

export interface InteractionState {
  /** The signed-in person's last password entry (ms), or undefined when nobody is signed in. */
  authTime: number | undefined;
  /**
   * Whether the signed-in person is the one `id_token_hint` names: undefined
   * without a hint; false for a hint of another user or one that does not verify.
   */
  hintMatches: boolean | undefined;
  /** The person already consented to this app for every scope asked. */
  consentCovers: boolean;
  /** When this authorization request began (ms): a sign-in since then satisfies every "sign in again". */
  startedAt: number;
  now: number;
}

export type Interaction = 'login' | 'consent' | 'done';

/** Why the person must sign in (again), or undefined when the session will do. */
function loginReason(request: InteractionRequest, state: InteractionState): string | undefined {
  if (state.authTime === undefined) return 'the user is not signed in';
  // A sign-in made during this very request satisfies force_login, prompt=login, max_age and the hint.
  if (state.authTime >= state.startedAt) return undefined;
  if (request.forceLogin || request.prompt.has('login')) return 'the request asks the user to sign in again';
  if (request.maxAge !== undefined && state.authTime + request.maxAge * 1000 < state.now) return `the user signed in more than max_age=${request.maxAge} seconds ago`;
  if (state.hintMatches === false) return 'the signed-in user is not the one id_token_hint names';
  return undefined;
}

/**
 * The next step: the sign-in form, the consent form, or done. With prompt=none
 * a step the person would have to take is an error sent back to the app.
 */
export function nextInteraction(request: InteractionRequest, state: InteractionState): Interaction {
  const silent = request.prompt.has('none');
  const login = loginReason(request, state);
  if (login !== undefined) {
    if (silent) throw oauthError('login_required', `prompt=none, but ${login}`);
    return 'login';
  }
  const consent = !state.consentCovers || request.confirmLogin || request.prompt.has('consent');
  if (consent) {
    if (silent) throw oauthError('consent_required', 'prompt=none, but the user has not consented to this app for every scope asked');
    return 'consent';
  }
  return 'done';
}
