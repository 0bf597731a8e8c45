import type { Routes } from '@angular/router';
import { signedIn } from './auth/auth.guard';

export const routes: Routes = [
  { path: 'login', title: 'Sign in · Tradeloop', loadComponent: () => import('./auth/login-page').then((m) => m.LoginPage) },
  {
    path: '',
    canActivate: [signedIn],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'status' },
      { path: 'status', title: 'Status · Tradeloop', loadComponent: () => import('./status/status-page').then((m) => m.StatusPage) },
      {
        path: 'strategies',
        title: 'Strategies · Tradeloop',
        loadComponent: () => import('./strategies/strategies-page').then((m) => m.StrategiesPage),
      },
    ],
  },
  { path: '**', redirectTo: 'status' },
];
