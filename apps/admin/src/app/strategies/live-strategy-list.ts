import { inject } from '@angular/core';
import type { StrategyListItem } from '@tradeloop/contracts';
import { filter } from 'rxjs';
import { ApiService } from '../core/api.service';
import { type LiveState, liveState } from '../core/live-state';
import { LiveService } from '../core/live.service';
import { withLiveMessage } from './strategy-list';

/**
 * Every strategy with its live numbers, as the Strategies page, the Control Center and the
 * names on other pages need it: P&L pushes, positions, accepted alerts and status changes move
 * it; a strategy made elsewhere (another tab, the API) loads the list again.
 */
export function liveStrategyList(): LiveState<readonly StrategyListItem[]> {
  const api = inject(ApiService);
  const unknown = (id: string): boolean => !state.value()?.some((s) => s.id === id);
  const state: LiveState<readonly StrategyListItem[]> = liveState<readonly StrategyListItem[]>({
    load: () => api.strategies(),
    deltas: {
      PNL: (list, data) => withLiveMessage(list, { type: 'PNL', data }),
      POSITION: (list, data) => withLiveMessage(list, { type: 'POSITION', data }),
      LOG: (list, data) => withLiveMessage(list, { type: 'LOG', data }),
      STRATEGY: (list, data) => withLiveMessage(list, { type: 'STRATEGY', data }),
    },
    reloadOn: inject(LiveService)
      .on('STRATEGY')
      .pipe(filter((s) => unknown(s.id))),
  });
  return state;
}
