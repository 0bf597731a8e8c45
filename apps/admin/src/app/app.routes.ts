import type { Routes } from '@angular/router';
import { signedIn } from './auth/auth.guard';

export const routes: Routes = [
  { path: 'login', title: 'Sign in · Tradeloop', loadComponent: () => import('./auth/login-page').then((m) => m.LoginPage) },
  {
    path: '',
    canActivate: [signedIn],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: 'Dashboard · Tradeloop',
        loadComponent: () => import('./dashboard/dashboard-page').then((m) => m.DashboardPage),
      },
      {
        path: 'control',
        title: 'Control Center · Tradeloop',
        loadComponent: () => import('./control/control-page').then((m) => m.ControlPage),
      },
      {
        path: 'strategies',
        title: 'Strategies · Tradeloop',
        loadComponent: () => import('./strategies/strategies-page').then((m) => m.StrategiesPage),
      },
      {
        path: 'strategies/:id',
        title: 'Strategy · Tradeloop',
        loadComponent: () => import('./strategies/strategy-detail-page').then((m) => m.StrategyDetailPage),
      },
      {
        path: 'scripts',
        title: 'Scripts · Tradeloop',
        loadComponent: () => import('./scripts/scripts-page').then((m) => m.ScriptsPage),
      },
      {
        path: 'scripts/:name',
        title: 'Script · Tradeloop',
        loadComponent: () => import('./scripts/script-editor-page').then((m) => m.ScriptEditorPage),
        canDeactivate: [(page: { canLeave(): boolean }) => page.canLeave()],
      },
      {
        path: 'trader',
        title: 'Manual Trader · Tradeloop',
        loadComponent: () => import('./trader/trader-page').then((m) => m.TraderPage),
      },
      {
        path: 'backtests',
        title: 'Backtests · Tradeloop',
        loadComponent: () => import('./backtests/backtests-page').then((m) => m.BacktestsPage),
      },
      { path: 'market', title: 'Market · Tradeloop', loadComponent: () => import('./market/market-page').then((m) => m.MarketPage) },
      {
        path: 'settings',
        title: 'Settings · Tradeloop',
        loadComponent: () => import('./settings/settings-page').then((m) => m.SettingsPage),
      },
    ],
  },
  { path: '**', redirectTo: 'dashboard' },
];
