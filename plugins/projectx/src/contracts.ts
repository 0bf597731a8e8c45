import type { Instrument } from '@tradeloop/contracts';
import { ProjectXError } from './rest.js';
import type { Answer, PxContract } from './wire.js';

/** What the contract book needs of a session: one authenticated gateway call. */
export interface GatewayCalls {
  call<T extends Partial<Answer>>(path: string, body: unknown, what: string): Promise<T>;
}

/** How long a front-month answer is kept before ProjectX is asked again (a roll is noticed within this). */
const CONTRACT_TTL_MS = 60 * 60_000;
const MONTHS = 'FGHJKMNQUVXZ';

/**
 * The root a canonical ticker names: `NQ1!` → `NQ`, `MES1!` → `MES`, `NQ` → `NQ`; a dated contract
 * (`NQZ5`, `NQZ2025`) keeps its root too. Exchange prefixes (`CME_MINI:`) are gone before it gets here.
 */
export function rootOf(ticker: string): string {
  const symbol = ticker
    .trim()
    .toUpperCase()
    .replace(/^[^:]*:/, '');
  const continuous = /^([A-Z0-9]+?)\d!$/.exec(symbol);
  if (continuous) return continuous[1]!;
  const dated = /^([A-Z0-9]+?)[FGHJKMNQUVXZ](\d{1,2}|\d{4})$/.exec(symbol);
  return dated ? dated[1]! : symbol;
}

/** Whether a contract's name is the root's (`NQZ5` is NQ's, `MNQZ5` is not). */
const isOfRoot = (contract: PxContract, root: string) =>
  contract.name.toUpperCase().startsWith(root) && new RegExp(`^[${MONTHS}]\\d{1,2}$`).test(contract.name.toUpperCase().slice(root.length));

/** Sorting key of a contract name's expiry (`Z5` → year 5, month 12), for picking the nearest. */
const expiryKey = (name: string, root: string) => {
  const tail = name.toUpperCase().slice(root.length);
  return Number(tail.slice(1)) * 100 + MONTHS.indexOf(tail[0]!);
};

/** The front month among a search's answers: the active contract of the root, else the nearest one. */
export function frontMonth(contracts: PxContract[], root: string): PxContract | undefined {
  const mine = contracts.filter((c) => typeof c?.name === 'string' && typeof c.id === 'string' && isOfRoot(c, root));
  const active = mine.filter((c) => c.activeContract);
  const pool = active.length ? active : mine;
  return pool.sort((a, b) => expiryKey(a.name, root) - expiryKey(b.name, root))[0];
}

/** Contract lookups of one login, cached: `NQ1!` → ProjectX's front-month contract. */
export class ContractBook {
  private readonly byRoot = new Map<string, { at: number; contract: PxContract }>();
  private readonly byId = new Map<string, PxContract>();

  constructor(private readonly session: () => GatewayCalls | undefined) {}

  async front(ticker: string): Promise<PxContract> {
    const root = rootOf(ticker);
    const cached = this.byRoot.get(root);
    if (cached && Date.now() - cached.at < CONTRACT_TTL_MS) return cached.contract;
    const session = this.session();
    if (!session) throw new ProjectXError('no ProjectX account is configured to look contracts up with', 'refused');
    const answer = await session.call<Answer & { contracts?: PxContract[] }>(
      '/api/Contract/search',
      { searchText: root, live: false },
      `the contract search for ${root}`,
    );
    const contract = frontMonth(Array.isArray(answer.contracts) ? answer.contracts.slice(0, 500) : [], root);
    if (!contract) throw new ProjectXError(`ProjectX has no contract for ${ticker} (searched for ${root})`, 'refused');
    if (cached && cached.contract.id !== contract.id) this.byId.delete(cached.contract.id);
    this.byRoot.set(root, { at: Date.now(), contract });
    this.byId.set(contract.id, contract);
    return contract;
  }

  /** A contract seen in a search, by id (fills and positions name contracts by id). */
  known(contractId: string): PxContract | undefined {
    return this.byId.get(contractId);
  }

  /** The canonical ticker of a contract id: `CON.F.US.ENQ.Z25` named `NQZ5` → `NQ1!`. */
  tickerOf(contractId: string): string | undefined {
    for (const [root, { contract }] of this.byRoot) if (contract.id === contractId) return `${root}1!`;
    return undefined;
  }

  /** Looks a contract up by id (`Contract/searchById`) and remembers it. */
  async byContractId(contractId: string): Promise<PxContract | undefined> {
    const known = this.byId.get(contractId);
    if (known) return known;
    const session = this.session();
    if (!session) return undefined;
    const answer = await session.call<Answer & { contract?: PxContract | null }>(
      '/api/Contract/searchById',
      { contractId },
      `the contract lookup of ${contractId}`,
    );
    if (answer.contract && typeof answer.contract.id === 'string') this.byId.set(answer.contract.id, answer.contract);
    return answer.contract ?? undefined;
  }

  /** What one tick of the ticker's front month is worth, from ProjectX (for instruments outside the catalog). */
  async instrument(ticker: string): Promise<Instrument | undefined> {
    const contract = await this.front(ticker);
    if (!(contract.tickSize > 0) || !(contract.tickValue > 0)) return undefined;
    return {
      root: rootOf(ticker),
      description: contract.description || contract.name,
      kind: 'future',
      tickSize: contract.tickSize,
      tickValue: contract.tickValue,
    };
  }
}

/** The canonical ticker of a contract name (`NQZ5` → `NQ1!`), or undefined when it is not a dated contract. */
export function tickerOfName(name: string): string | undefined {
  const match = /^([A-Z0-9]+?)[FGHJKMNQUVXZ]\d{1,2}$/.exec(name.toUpperCase());
  return match ? `${match[1]}1!` : undefined;
}
