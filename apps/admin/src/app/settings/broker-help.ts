/** What the account form tells about one broker plugin's settings and secrets. */
export interface AccountHelp {
  /** Placeholder for the settings box: the names it takes, one `name=value` a line. */
  settings: string;
  secrets: string;
  /** Sentences shown under the form. */
  notes: string[];
}

const TRADOVATE: AccountHelp = {
  settings: 'environment=demo\nusername=…\nappId=…\nappVersion=1.0\ncid=…\ndeviceId=… (live accounts)',
  secrets: 'password=…\nsec=…',
  notes: [
    'Account at the broker: the account name as Tradovate shows it (e.g. DEMO1234567). cid and sec are the id and secret of the API key you created in Tradovate (Application Settings → API Access); appId is the name you gave that key.',
    'Live accounts need deviceId: Tradovate lets only approved devices trade them, and refuses orders from any other with HTTP 401. Pick an id of your own for this machine (up to 64 characters, e.g. tradeloop-office-pc) and never change it.',
    'To approve it: save the account, let Tradeloop log in once (an order is refused until approval, with that reason), then approve the new device in the e-mail Tradovate sends, or under Application Settings → My Devices in the Tradovate app. Demo accounts trade without an approved device.',
    'A partner (B2B) organization login also needs partner=true.',
  ],
};

/** Help for a broker's account form, or null when the plugin needs nothing explained. */
export function accountHelp(broker: string): AccountHelp | null {
  return broker === 'tradovate' ? TRADOVATE : null;
}
