/**
 * User codes of the device flow (RFC 8628 §6.1, SPEC §3): 8 characters from
 * 20 consonants (no vowels, so no words; no look-alikes such as 0/O, 1/I),
 * shown as `XXXX-XXXX`, typed in any case, with or without the dash or spaces.
 */
import { randomInt } from 'node:crypto';
import { hashSecret } from './tokens.js';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;
const SHAPE = new RegExp(`^[${USER_CODE_ALPHABET}]{${LENGTH}}$`);

/** A fresh code, uniformly drawn: 20^8 ≈ 2^34.6 values, enough with the page's rate limits (RFC 8628 §5.1). */
export function mintUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** `BCDFGHJK` → `BCDF-GHJK`, the form sent to the device and shown to the person. */
export function formatUserCode(normalised: string): string {
  return `${normalised.slice(0, 4)}-${normalised.slice(4)}`;
}

/** What a person typed → the canonical code, or undefined when it cannot be one. */
export function normaliseUserCode(typed: string): string | undefined {
  const code = typed.slice(0, 64).replace(/[\s-]+/g, '').toUpperCase();
  return SHAPE.test(code) ? code : undefined;
}

/**
 * The stored form. The page must find a row by the code, so this is a plain
 * hash (an equality lookup), not a salted one; the brute-force limits, not the
 * hash, protect a 35-bit code, and a code lives only GATEHOUSE_DEVICE_CODE_TTL.
 */
export function hashUserCode(normalised: string): string {
  return hashSecret(`user_code:${normalised}`);
}
