import type { PxAccount } from '../wire.js';

/** A ProjectX user of the fake gateway: its API key and the accounts it may trade. */
export interface FakeUser {
  userName: string;
  apiKey: string;
  accounts: PxAccount[];
}
