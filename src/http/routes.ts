/**
 * Every endpoint and page group of the server, in one visible list: adding an
 * endpoint is adding a row. A row is [module, options]; each module owns its
 * paths and receives the services with its options (context.ts).
 */
import { adminApi } from './admin/index.js';
import type { RouteModule } from './context.js';
import { authorizeEndpoint } from './endpoints/authorize.js';
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js';
import { healthEndpoints } from './endpoints/health.js';
import { introspectionEndpoint } from './endpoints/introspection.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { logoutEndpoint } from './endpoints/logout.js';
import { metadataEndpoint } from './endpoints/metadata.js';
import { metricsEndpoint } from './endpoints/metrics.js';
import { passportAuthEndpoints } from './endpoints/passport-auth.js';
import { passportUserEndpoints } from './endpoints/passport-users.js';
import { portraitEndpoint } from './endpoints/portrait.js';
import { qrcodeEndpoint } from './endpoints/qrcode.js';
import { revocationEndpoint } from './endpoints/revocation.js';
import { tokenEndpoint } from './endpoints/token.js';
import { tokeninfoEndpoint } from './endpoints/tokeninfo.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { accountPages } from './pages/account.js';
import { consolePages } from './pages/console.js';
import { devicePage } from './pages/device.js';
import { errorReferencePages } from './pages/error-reference.js';
import { homePages } from './pages/home.js';
import { loginSuccessPage } from './pages/login-success.js';
import { sessionPages } from './pages/session.js';

export type RouteRow = readonly [RouteModule, object?];

export const ROUTES: readonly RouteRow[] = [
  // The protocol (SPEC §1)
  [authorizeEndpoint],
  [tokenEndpoint],
  [deviceAuthorizationEndpoint],
  [qrcodeEndpoint],
  [introspectionEndpoint],
  [revocationEndpoint],
  [tokeninfoEndpoint],
  [metadataEndpoint],
  // OpenID Connect (SPEC §7)
  [jwksEndpoint],
  [userinfoEndpoint],
  [logoutEndpoint],
  // Baidu's REST calls (protected resources)
  [passportUserEndpoints],
  [passportAuthEndpoints],
  // The pictures `picture` and `portrait` point at
  [portraitEndpoint],
  // Pages a person uses (SPEC §6)
  [homePages],
  [sessionPages],
  [loginSuccessPage],
  [devicePage],
  [consolePages],
  [accountPages],
  [errorReferencePages],
  // The admin API (SPEC §10)
  [adminApi],
  // Operations
  [healthEndpoints],
  [metricsEndpoint],
];
