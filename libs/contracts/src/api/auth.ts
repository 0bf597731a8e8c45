import type { IsoTime } from './common.js';

export type TokenKind = 'session' | 'api';
/** `admin`: everything. `trading`: read and trade, no access control or secrets. `read`: GET only. */
export type TokenScope = 'admin' | 'trading' | 'read';

/** `POST /api/auth/login`. */
export interface LoginInput {
  username: string;
  password: string;
}

/** The answer to signing in; the admin uses the httpOnly cookie set with it instead of the token. */
export interface LoginAnswer {
  token: string;
  expiresAt: IsoTime;
  username: string;
}

/** `GET /api/auth/me`. */
export interface SignedInView {
  username: string;
  kind: TokenKind;
  scope: TokenScope;
}

/** A login session or an API token, without its secret. */
export interface ApiTokenView {
  id: string;
  kind: TokenKind;
  name: string;
  scope: TokenScope;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  createdAt: IsoTime;
  expiresAt: IsoTime | null;
  lastUsedAt: IsoTime | null;
}

/** `GET /api/auth/tokens` and `GET /api/auth/sessions`. */
export interface ListedToken extends ApiTokenView {
  /** The one this request came with. */
  current: boolean;
}

/** `POST /api/auth/tokens`: the secret, in this answer only. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}

/** `POST /api/auth/tokens`. */
export interface ApiTokenInput {
  name: string;
  scope: Exclude<TokenScope, 'admin'>;
  /** Absent: it never expires. */
  expiresInDays?: number;
}

/** `POST /api/auth/password`: every other session ends. */
export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}
