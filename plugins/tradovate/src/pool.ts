import { SessionPool as Pool, type PluginLogger } from '@tradeloop/contracts';
import { createHash } from 'node:crypto';
import { Session } from './session.js';
import { loginKey, loginOf, type Login, type TradovateSettings } from './settings.js';

/** What a session was made with beyond its key: a change of any of these starts a new session. */
const digest = (login: Login) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        login.environment,
        login.appVersion,
        login.deviceId ?? '',
        login.partner,
        login.wsUrl,
        login.mdUrl,
        login.password,
        login.sec,
      ]),
    )
    .digest('hex');

/** The sessions of this plugin, one per Tradovate login, shared by the broker and the data feed. */
export type SessionPool = Pool<Login, Session>;

/** A session is replaced when its credentials change and stopped when no account uses it any more. */
export const sessionPool = (settings: TradovateSettings, logger: PluginLogger): SessionPool =>
  new Pool<Login, Session>({
    name: 'Tradovate',
    logger,
    loginOf: (account) => loginOf(account, settings),
    key: loginKey,
    fingerprint: digest,
    open: (login) => new Session(login, settings, logger),
    label: (session) => session.label,
  });
