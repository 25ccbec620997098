/**
 * Pushed authorization requests (RFC 9126, SPEC §8): the record and the
 * store port. A request_uri is `urn:ietf:params:oauth:request_uri:ID.SECRET`;
 * only SHA-256(SECRET) is kept, with the app it is bound to and its
 * authorize parameters. Single use is one atomic store call.
 */
import type { Params } from './params.js';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** GATEHOUSE_PAR_TTL's default (RFC 9126 §2.2: short, "e.g. 60 seconds"). */
export const DEFAULT_PAR_TTL_SECONDS = 60;

export interface PushedRequest {
  id: number;
  secretHash: string;
  clientId: string;
  /** The authorize parameters as pushed (client authentication removed). */
  params: Record<string, string | string[]>;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export type NewPushedRequest = Omit<PushedRequest, 'consumedAt'>;

export interface PushedRequestStore {
  savePushedRequest(request: NewPushedRequest): Promise<void>;
  findPushedRequest(id: number): Promise<PushedRequest | undefined>;
  /** Marks it used: true for exactly one caller however many race (UPDATE … WHERE consumed_at IS NULL). */
  consumePushedRequest(id: number, now: number): Promise<boolean>;
  /** Deletes up to `limit` requests expired at `now`; returns how many. */
  deleteExpiredPushedRequests(now: number, limit: number): Promise<number>;
}

/** Narrows Params to what a pushed request keeps (no undefined members). */
export function storedParams(params: Params): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) kept[name] = value;
  return kept;
}
