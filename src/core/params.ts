/**
 * Request parameters as the core receives them: the form body and query,
 * already decoded; a repeated name arrives as an array. RFC 6749 §3.1: a
 * parameter the endpoint knows MUST NOT be repeated; unknown ones are ignored.
 */
import { oauthError } from './errors.js';

export type Params = Record<string, string | string[] | undefined>;

/** The single value of a known parameter, '' treated as absent (RFC 6749 §3.1). */
export function single(params: Params, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) {
    throw oauthError('invalid_request', `parameter ${name} is repeated`);
  }
  return value === '' ? undefined : value;
}

export function required(params: Params, name: string): string {
  const value = single(params, name);
  if (value === undefined) throw oauthError('invalid_request', `missing required parameter ${name}`);
  return value;
}

/** A "1"/"true" style switch (Baidu's force_login=1, confirm_login=1). */
export function flag(params: Params, name: string): boolean {
  const value = single(params, name);
  return value === '1' || value === 'true';
}
