import type { Routes } from '@angular/router';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'status' },
  { path: 'status', title: 'Status · Tradeloop', loadComponent: () => import('./status/status-page').then((m) => m.StatusPage) },
  {
    path: 'strategies',
    title: 'Strategies · Tradeloop',
    loadComponent: () => import('./strategies/strategies-page').then((m) => m.StrategiesPage),
  },
  { path: '**', redirectTo: 'status' },
];
