/** Every migration, by name; names sort in the order they apply. */
import type { Migration } from 'kysely';
import * as initial from './2026-11-24-initial.js';

export const migrations: Record<string, Migration> = {
  '2026-11-24-initial': initial,
};
