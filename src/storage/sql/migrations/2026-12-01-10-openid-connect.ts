/**
 * Frozen in time: never import app code here. OpenID Connect (SPEC §7):
 * - clients: subject_type, id_token_alg, post_logout_redirect_uris (JSON
 *   array), backchannel_logout_uri;
 * - users: name, email_verified, updated_at (the profile and email claims);
 * - authorization_codes.sign_in: the nonce, auth_time and sid an id_token
 *   issued from the code carries;
 * - the scopes openid, profile and offline_access;
 * - apps that allowed every response type (code and token) before now allow
 *   the OpenID ones too, as an app made without --response-types does.
 */
import { sql, type Kysely } from 'kysely';

const SCOPES = [
  { name: 'openid', description: 'Sign you in to the app with your account' },
  { name: 'profile', description: 'Your name, user name, picture and when your profile changed' },
  { name: 'offline_access', description: 'Keep access while you are away (a refresh token)' },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('subject_type', 'text', (col) => col.notNull().defaultTo('public')).execute();
  await db.schema.alterTable('clients').addColumn('id_token_alg', 'text', (col) => col.notNull().defaultTo('RS256')).execute();
  await db.schema.alterTable('clients').addColumn('post_logout_redirect_uris', 'text', (col) => col.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
  await db.schema.alterTable('users').addColumn('name', 'text').execute();
  await db.schema.alterTable('users').addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('updated_at', 'bigint').execute();
  await db.schema.alterTable('authorization_codes').addColumn('sign_in', 'text').execute();
  await db.updateTable('users').set({ updated_at: sql`created_at` }).execute();
  for (const scope of SCOPES) {
    await db.insertInto('scopes').values(scope).onConflict((oc) => oc.column('name').doNothing()).execute();
  }
  // Response types are stored space-separated, with a space inside a type written `+` (id_token+token).
  await db.updateTable('clients').set({ response_types: 'code token id_token id_token+token' }).where('response_types', '=', 'code token').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('clients').set({ response_types: 'code token' }).where('response_types', '=', 'code token id_token id_token+token').execute();
  await db.deleteFrom('scopes').where('name', 'in', SCOPES.map((scope) => scope.name)).execute();
  await db.schema.alterTable('authorization_codes').dropColumn('sign_in').execute();
  await db.schema.alterTable('users').dropColumn('updated_at').execute();
  await db.schema.alterTable('users').dropColumn('email_verified').execute();
  await db.schema.alterTable('users').dropColumn('name').execute();
  for (const column of ['backchannel_logout_uri', 'post_logout_redirect_uris', 'id_token_alg', 'subject_type']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
