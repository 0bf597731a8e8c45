import { SessionPool as Pool, type PluginLogger } from '@tradeloop/contracts';
import { Session } from './session.js';
import { loginKey, loginOf, type Login, type ProjectXSettings } from './settings.js';

/** The sessions of this plugin, one per ProjectX login, shared by the broker and the data feed. */
export type SessionPool = Pool<Login, Session>;

/** A session is replaced when its API key changes and stopped when no account uses it any more. */
export const sessionPool = (settings: ProjectXSettings, logger: PluginLogger): SessionPool =>
  new Pool<Login, Session>({
    name: 'ProjectX',
    logger,
    loginOf: (account) => {
      const login = loginOf(account, settings);
      return 'problem' in login ? login : { login };
    },
    key: loginKey,
    fingerprint: (login) => login.apiKey,
    open: (login) => new Session(login, settings, logger),
    label: (session) => session.login.userName,
  });
